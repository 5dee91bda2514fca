/**
 * A live time-series chart (uPlot). `x` in epoch seconds; one line per series. The
 * figure is labelled for screen readers, and the latest values are also printed in
 * a table beside it by the page, so the chart is never the only way to read them.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
}

export interface ChartProps {
  label: string;
  series: ChartSeries[];
  /** [x, ...one array per series] */
  data: number[][];
  height?: number;
  yLabel?: string;
  /** show this many seconds up to the newest point (or now), however little data there is */
  windowSeconds?: number;
}

export function Chart({ label, series, data, height = 240, yLabel, windowSeconds }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const seriesKey = series.map((s) => `${s.label}:${s.color}`).join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          ...(windowSeconds ? { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => {
            const end = Number.isFinite(max) ? max : Date.now() / 1000;
            return [end - windowSeconds, end];
          } } : {}),
        },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, label: yLabel ?? '' }],
      series: [{ label: 'time' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(s.dash ? { dash: s.dash } : {}), points: { show: false } }))],
    };
    const chart = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
    // the chart is rebuilt only when its series change; data updates go through setData below
  }, [seriesKey, height, yLabel, windowSeconds]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <figure class="chart" aria-label={label} role="img"><div ref={host} /></figure>;
}
