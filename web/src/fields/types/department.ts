import { OfficeBuilding } from "@element-plus/icons-vue";
import { useOrgStore } from "@/stores/org";
import { registerField } from "../registry";

/** Department (部门): one department of the organization, chosen from the tree. */
registerField({
  type: "department", icon: OfficeBuilding, group: "advanced",
  editor: () => import("../editors/DepartmentEditor.vue"),
  format: (v) => {
    const org = useOrgStore();
    // names arrive with the tree; the cell re-renders once it is loaded
    if (!org.flat.length) void org.loadTree().catch(() => undefined);
    return org.departmentName(Number(v));
  },
  empty: () => null,
  settings: ["description", "placeholder"],
});
