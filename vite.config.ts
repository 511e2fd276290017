import { vitePlugin as remix } from '@remix-run/dev'
import { defineConfig } from 'vite'

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}

export default defineConfig({
  plugins: [
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  resolve: { alias: { '~': new URL('./app', import.meta.url).pathname } },
  server: { watch: { ignored: ['**/data/**', '**/content/**'] } },
  // better-sqlite3 and @resvg/resvg-js are native addons and mdx-bundler drives esbuild's
  // binary: all must be loaded by Node at run time, never bundled.
  ssr: { external: ['better-sqlite3', 'mdx-bundler', 'esbuild', '@resvg/resvg-js'] },
})
