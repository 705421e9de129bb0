/**
 * The GraphiQL page: ~9 MB of inlined JavaScript from the installed
 * @graphql-yoga/render-graphiql bundle, so it works without reaching any CDN. It is
 * rendered on the first visit (not at every start of every process) and kept, with the
 * Content-Security-Policy that lets exactly its own inline script run (by its hash), its
 * editor style itself, and its workers start from blobs.
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

/** The hashes of a page's inline `<script>` elements, for its script-src. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => sha256(m[1]!));
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
          // Its editor sets style attributes and injects styles as it goes: scripts are
          // what a policy must hold tight, and they stay pinned to the page's own.
          csp = contentSecurityPolicy({
            'script-src': inlineScriptHashes(html),
            'style-src': ["'unsafe-inline'"],
            'worker-src': ['blob:'],
          });
          return html;
        })
        .catch((error: unknown) => {
          page = null;
          throw error;
        }));
    },
  };
}
