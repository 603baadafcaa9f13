import { createRouter, createWebHistory } from "vue-router";
import { useAuthStore } from "@/stores/auth";
import { loadLazyMessages } from "@/i18n";

/** Every page is its own chunk, so the first load carries only the shell. */
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/login", name: "login", component: () => import("@/views/LoginView.vue") },
    {
      path: "/invite/:token",
      name: "invite",
      component: () => import("@/views/InviteView.vue"),
      props: true,
      meta: { public: true },
    },
    { path: "/admin/org", name: "admin-org", component: () => import("@/views/admin/OrgView.vue") },
    { path: "/", name: "apps", component: () => import("@/views/AppListView.vue") },
    {
      path: "/apps/:appId(\\d+)",
      component: () => import("@/views/AppLayout.vue"),
      props: (r) => ({ appId: Number(r.params.appId) }),
      children: [
        { path: "", name: "app", component: () => import("@/views/AppHome.vue") },
        {
          path: "forms/:formId(\\d+)",
          name: "form-data",
          component: () => import("@/views/data/DataView.vue"),
          props: (r) => ({
            formId: Number(r.params.formId),
            viewId: r.query.view ? Number(r.query.view) : undefined,
            linked: typeof r.query.linked === "string" ? r.query.linked : undefined,
          }),
        },
        {
          path: "forms/:formId(\\d+)/design",
          name: "form-design",
          component: () => import("@/views/designer/DesignerView.vue"),
          props: (r) => ({ formId: Number(r.params.formId) }),
        },
        {
          path: "forms/:formId(\\d+)/records/new",
          name: "record-new",
          component: () => import("@/views/record/RecordView.vue"),
          props: (r) => ({ formId: Number(r.params.formId), recordId: null }),
        },
        {
          path: "forms/:formId(\\d+)/records/:recordId(\\d+)",
          name: "record",
          component: () => import("@/views/record/RecordView.vue"),
          props: (r) => ({ formId: Number(r.params.formId), recordId: Number(r.params.recordId) }),
        },
        {
          path: "forms/:formId(\\d+)/permissions",
          name: "form-permissions",
          component: () => import("@/views/designer/PermissionsView.vue"),
          props: (r) => ({ formId: Number(r.params.formId) }),
        },
        {
          path: "forms/:formId(\\d+)/import",
          name: "form-import",
          component: () => import("@/views/io/ImportWizard.vue"),
          props: (r) => ({ formId: Number(r.params.formId) }),
        },
        {
          path: "forms/:formId(\\d+)/imports",
          name: "form-imports",
          component: () => import("@/views/io/ImportHistory.vue"),
          props: (r) => ({ formId: Number(r.params.formId) }),
        },
        {
          path: "forms/:formId(\\d+)/duplicates",
          name: "form-duplicates",
          component: () => import("@/views/io/DuplicatesView.vue"),
          props: (r) => ({ formId: Number(r.params.formId) }),
        },
        {
          path: "new-from-sheet",
          name: "app-new-from-sheet",
          component: () => import("@/views/io/CreateFromSheet.vue"),
          props: (r) => ({ appId: Number(r.params.appId) }),
        },
        {
          path: "forms/:formId(\\d+)/trash",
          name: "form-trash",
          component: () => import("@/views/record/TrashView.vue"),
          props: (r) => ({ formId: Number(r.params.formId) }),
        },
      ],
    },
    { path: "/admin/audit", name: "admin-audit", component: () => import("@/views/admin/AuditView.vue") },
    { path: "/admin/security", name: "admin-security", component: () => import("@/views/admin/SecurityView.vue") },
    { path: "/account", name: "account", component: () => import("@/views/AccountView.vue") },
    { path: "/change-password", name: "change-password", component: () => import("@/views/ChangePasswordView.vue") },
    { path: "/:pathMatch(.*)*", name: "not-found", component: () => import("@/views/NotFound.vue") },
  ],
});

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  // the server unreachable (or failing) is not a reason for a blank page: show the login
  if (!auth.checked) await auth.restore().catch(() => undefined);
  if (to.meta.public) return true; // an invitation link: the token is the credential
  if (!auth.user && to.name !== "login") return { name: "login", query: { next: to.fullPath } };
  if (auth.user && to.name === "login") return { name: "apps" };
  // a password that must be changed first: the server refuses everything else anyway
  if (auth.user && auth.mustChangePassword && to.name !== "change-password") return { name: "change-password" };
  if (auth.user) await loadLazyMessages();
  return true;
});
