import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import './styles/main.scss'

async function boot(): Promise<void> {
  if (import.meta.env.VITE_MOCK === '1') {
    const { startMockBackend } = await import('./mocks/browser')
    await startMockBackend()
  }
  const app = createApp(App)
  app.use(createPinia())
  app.use(router)
  app.mount('#app')
}

void boot()
