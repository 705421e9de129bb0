/**
 * A header as the client sent it. Node joins the values of a repeated header with ", "
 * (`request.headers`), which makes a header meant to carry one value, like an ordering key,
 * carry a new one made of several: each is counted here, so the caller can refuse them.
 */

/** The header's value when sent once, every value when sent several times, undefined when not sent. */
export function headerAsSent(rawHeaders: readonly string[], name: string): string | string[] | undefined {
  const values: string[] = [];
  // rawHeaders is a flat list: name, value, name, value…, names as sent (any case).
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}
