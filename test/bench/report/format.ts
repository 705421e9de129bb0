/** Numbers as the tables show them, and tables as text (stdout) or Markdown (the report file). */

export const rate = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '' : Math.round(value).toLocaleString('en-US');

export const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value)
    ? ''
    : value < 10
      ? value.toFixed(1)
      : Math.round(value).toLocaleString('en-US');

export const seconds = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(1);

export const percent = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '' : `${Math.round(value * 100)} %`;

export const mb = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : Math.round(value).toString();

export function table(headers: string[], rows: string[][], style: 'text' | 'markdown'): string {
  if (style === 'markdown') {
    const escape = (cell: string) => cell.replace(/\|/g, '\\|');
    return [
      `| ${headers.join(' | ')} |`,
      `|${headers.map(() => '---').join('|')}|`,
      ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
    ].join('\n');
  }
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (cell ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
