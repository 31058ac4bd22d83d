/** AMQP routing-key matching for direct, fanout and topic exchanges (`*` one word, `#` zero or more). */
export function routes(exchangeType: string, bindingKey: string, routingKey: string): boolean {
  if (exchangeType === 'fanout') return true;
  if (exchangeType === 'direct') return bindingKey === routingKey;
  return topicMatch(bindingKey.split('.'), 0, routingKey.split('.'), 0);
}

function topicMatch(pattern: string[], p: number, words: string[], w: number): boolean {
  if (p === pattern.length) return w === words.length;
  const part = pattern[p];
  if (part === '#') {
    for (let i = w; i <= words.length; i++) if (topicMatch(pattern, p + 1, words, i)) return true;
    return false;
  }
  if (w === words.length) return false;
  return (part === '*' || part === words[w]) && topicMatch(pattern, p + 1, words, w + 1);
}
