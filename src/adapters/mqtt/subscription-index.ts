/**
 * A trie of topic filters (qlobber / mqemitter's job in aedes): values are stored
 * under their filter, `match(topic)` returns every value whose filter matches, once
 * per (filter, value). Used for the node's live subscriptions and retained lookups.
 */
interface Node<T> {
  /** the filter that ends at this node */
  filter: string;
  children: Map<string, Node<T>>;
  /** values whose filter ends at this node */
  values: Set<T>;
}

function newNode<T>(filter: string): Node<T> {
  return { filter, children: new Map(), values: new Set() };
}

export class SubscriptionIndex<T> {
  private readonly root: Node<T> = newNode('');
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(filter: string, value: T): void {
    let node = this.root;
    for (const level of filter.split('/')) {
      let next = node.children.get(level);
      if (!next) {
        next = newNode(node === this.root ? level : `${node.filter}/${level}`);
        node.children.set(level, next);
      }
      node = next;
    }
    if (!node.values.has(value)) {
      node.values.add(value);
      this.count++;
    }
  }

  /** true when the value was there */
  remove(filter: string, value: T): boolean {
    const path: Array<[Node<T>, string]> = [];
    let node = this.root;
    for (const level of filter.split('/')) {
      const next = node.children.get(level);
      if (!next) return false;
      path.push([node, level]);
      node = next;
    }
    if (!node.values.delete(value)) return false;
    this.count--;
    // prune empty branches
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!;
      const child = parent.children.get(level)!;
      if (child.values.size > 0 || child.children.size > 0) break;
      parent.children.delete(level);
    }
    return true;
  }

  /** values of every filter matching `topic`, with the filter they were found under */
  match(topic: string): Array<{ filter: string; value: T }> {
    const out: Array<{ filter: string; value: T }> = [];
    const levels = topic.split('/');
    // [MQTT-4.7.2-1] wildcards at the first level do not match "$" topics
    const dollar = topic.startsWith('$');
    this.walk(this.root, levels, 0, out, dollar);
    return out;
  }

  private walk(node: Node<T>, levels: string[], i: number, out: Array<{ filter: string; value: T }>, dollar: boolean): void {
    const wildcardsAllowed = !(dollar && i === 0);
    // "#" matches this level and everything below, including the parent level [MQTT-4.7.1-2]
    const hash = wildcardsAllowed ? node.children.get('#') : undefined;
    if (hash) emit(hash, out);
    if (i === levels.length) {
      emit(node, out);
      return;
    }
    const exact = node.children.get(levels[i]!);
    if (exact) this.walk(exact, levels, i + 1, out, dollar);
    const plus = wildcardsAllowed ? node.children.get('+') : undefined;
    if (plus) this.walk(plus, levels, i + 1, out, dollar);
  }
}

function emit<T>(node: Node<T>, out: Array<{ filter: string; value: T }>): void {
  for (const value of node.values) out.push({ filter: node.filter, value });
}
