/**
 * An attempt as a curl command, to replay it by hand against the receiver: the same
 * URL, headers and body. Credentials are never in it: the signature (it would let the
 * command be replayed as genuine), and any header named like a secret, become
 * <redacted>; re-sign with the endpoint's secret if the receiver checks it.
 */
const SECRET = /authorization|cookie|token|secret|password|api[-_]?key|signature|credential/i;

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

export function attemptAsCurl(
  attempt: { url: string; requestHeaders: { name: string; value: string }[] },
  body: { text: string; encoding: 'utf8' | 'base64' },
): string {
  const lines = [`curl -X POST ${quote(attempt.url)}`];
  for (const header of attempt.requestHeaders) {
    const value = SECRET.test(header.name) ? '<redacted>' : header.value;
    lines.push(`  -H ${quote(`${header.name}: ${value}`)}`);
  }
  lines.push(
    body.encoding === 'base64'
      ? `  --data-binary @body.bin  # the body is binary: base64 -d > body.bin <<< ${quote(body.text)}`
      : `  --data-binary ${quote(body.text)}`,
  );
  return lines.join(' \\\n');
}
