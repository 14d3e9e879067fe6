/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

// The gateway serves dist/ on the same origin; in `npm run dev` the API and /ws are proxied
// to a running gateway (AUTOBANG_URL, default the launcher's 127.0.0.1:8000).
const gateway = process.env.AUTOBANG_URL ?? 'http://127.0.0.1:8000'

export default defineConfig(({ mode }) => ({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  // The msw service worker only ships in the mock dev server, never in the real build.
  publicDir: mode === 'mock' ? 'mock-public' : false,
  server: {
    proxy:
      mode === 'mock'
        ? undefined
        : {
            '/api': gateway,
            '/healthz': gateway,
            '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
          },
  },
  build: { target: 'es2022', sourcemap: true },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
  },
}))
