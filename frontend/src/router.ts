import { createRouter, createWebHashHistory, type RouteLocationRaw } from 'vue-router'
import ModuleView from '@/views/ModuleView.vue'
import { useBackendStore } from '@/stores/backend'

// Hash history: the gateway serves dist/ as static files, so deep links need no server
// fallback route.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    {
      path: '/',
      name: 'home',
      component: ModuleView,
      props: () => ({ module: '' }),
      beforeEnter: async (): Promise<RouteLocationRaw | true> => {
        const backend = useBackendStore()
        if (!backend.loaded) await backend.load()
        const first = backend.modules[0]
        return first ? { name: 'module', params: { module: first.name } } : true
      },
    },
    { path: '/m/:module', name: 'module', component: ModuleView, props: true },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})
