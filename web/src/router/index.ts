import { createRouter, createWebHistory } from "vue-router";
import { useAuthStore } from "@/stores/auth";

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/login", name: "login", component: () => import("@/views/LoginView.vue") },
    { path: "/", name: "apps", component: () => import("@/views/AppListView.vue") },
  ],
});

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  if (!auth.checked) await auth.restore();
  if (!auth.user && to.name !== "login") return { name: "login", query: { next: to.fullPath } };
  if (auth.user && to.name === "login") return { name: "apps" };
  return true;
});
