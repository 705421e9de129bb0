/**
 * The GraphiQL page: ~9 MB of inlined JavaScript from the installed
 * @graphql-yoga/render-graphiql bundle, so it works without reaching any CDN. It is
 * rendered on the first visit (not at every start of every process) and kept, with the
 * Content-Security-Policy that lets exactly its own inline script and style run (by
 * their hashes) and its editor's workers start from blobs.
 */
import { createHash } from 'node:crypto';
import type { GraphiQLOptions } from 'graphql-yoga';
import { contentSecurityPolicy } from '../http/securityHeaders.ts';

export interface GraphiQLPage {
  render(options: GraphiQLOptions): Promise<string>;
  /** The policy the rendered page needs; null before the first render. */
  readonly csp: string | null;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The hashes of a page's inline `<script>` and `<style>` elements. */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => sha256(m[1]!));
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => sha256(m[1]!));
  return { scripts, styles };
}

export function createGraphiQLPage(): GraphiQLPage {
  let page: Promise<string> | null = null;
  let csp: string | null = null;
  return {
    get csp() {
      return csp;
    },
    render(options) {
      return (page ??= import('@graphql-yoga/render-graphiql')
        .then(({ renderGraphiQL }) => {
          const html = renderGraphiQL(options);
          const { scripts, styles } = inlineHashes(html);
          csp = contentSecurityPolicy({ 'script-src': scripts, 'style-src': styles, 'worker-src': ['blob:'] });
          return html;
        })
        .catch((error: unknown) => {
          page = null;
          throw error;
        }));
    },
  };
}
