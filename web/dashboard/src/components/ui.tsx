/** Small shared pieces: notices, stat tiles, a confirmation dialog, page headers. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1 tabIndex={-1} id="page-title">{title}</h1>
      {children ? <div class="actions">{children}</div> : null}
    </header>
  );
}

/** errors are announced (role=alert); other notices politely (role=status) */
export function Notice({ kind = 'info', children }: { kind?: 'info' | 'error' | 'success'; children: ComponentChildren }) {
  return <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>{children}</div>;
}

export function LoadError({ error }: { error: string | undefined }) {
  return error ? <Notice kind="error">Could not load: {error}</Notice> : null;
}

export function Stat({ label, value, hint, id }: { label: string; value: ComponentChildren; hint?: string; id?: string }) {
  return (
    <div class="stat" id={id}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint ? <div class="stat-hint">{hint}</div> : null}
    </div>
  );
}

export interface ConfirmProps {
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** the text the user types to confirm (a topic name), when the change cannot be undone */
  typeToConfirm?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * a modal <dialog>: focus moves into it, Escape cancels (Chrome may close it itself when the
 * page had no user activation since: `close` cancels too), focus returns to the opener afterwards
 */
export function Confirm({ title, message, confirmLabel, danger, typeToConfirm, onConfirm, onCancel }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  // the element that opened the dialog, taken before the dialog moves focus
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  /** closes the dialog and gives focus back before the page removes it (nothing outside an open modal takes focus) */
  const finish = (then: () => void): void => {
    const dialog = ref.current;
    if (dialog?.open) dialog.close();
    opener?.focus();
    then();
  };
  const ready = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="confirm-title"
      onCancel={(e) => { e.preventDefault(); finish(onCancel); }}
      onClose={() => { opener?.focus(); onCancel(); }}
    >
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); if (ready) finish(onConfirm); }}>
        <h2 id="confirm-title">{title}</h2>
        <div>{message}</div>
        {typeToConfirm !== undefined ? (
          <label class="field">
            <span>Type <strong>{typeToConfirm}</strong> to confirm</span>
            <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoComplete="off" autoFocus />
          </label>
        ) : null}
        <div class="dialog-actions">
          <button type="button" onClick={() => finish(onCancel)} autoFocus={typeToConfirm === undefined}>Cancel</button>
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={!ready}>{confirmLabel}</button>
        </div>
      </form>
    </dialog>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** a table that scrolls sideways on a narrow screen instead of squeezing its columns */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}
