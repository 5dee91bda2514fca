/**
 * Topic aliases on what we send (v5 §3.3.2.3.4): the client's CONNECT says how many
 * it accepts (Topic Alias Maximum, 0 = none [MQTT-3.3.2-9]). The first PUBLISH on a
 * topic carries the topic and a new alias; later ones an empty topic and the alias.
 * When every alias is taken, the least recently used one is given to the new topic
 * (sent again with its topic, which replaces the client's mapping [MQTT-3.3.2-12]).
 */
export class OutboundTopicAliases {
  /** topic → alias, least recently used first */
  private readonly byTopic = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** the alias for `topic`, and whether the client knows it already (then the topic may be left out) */
  aliasFor(topic: string): { alias: number; known: boolean } | undefined {
    if (this.max <= 0 || topic.length === 0) return undefined;
    const known = this.byTopic.get(topic);
    if (known !== undefined) {
      if (this.byTopic.size > 1) {
        this.byTopic.delete(topic);
        this.byTopic.set(topic, known);
      }
      return { alias: known, known: true };
    }
    let alias = this.byTopic.size + 1;
    if (alias > this.max) {
      const [oldest, reused] = this.byTopic.entries().next().value as [string, number];
      this.byTopic.delete(oldest);
      alias = reused;
    }
    this.byTopic.set(topic, alias);
    return { alias, known: false };
  }

  /** the PUBLISH that would have told the client about `topic` was not sent */
  forget(topic: string): void {
    this.byTopic.delete(topic);
  }
}
