export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  is_admin: boolean;
  is_active: boolean;
}

export interface FormSummary {
  id: number;
  name: string;
  description: string;
  position: number;
  field_count: number;
}

export interface App {
  id: number;
  name: string;
  description: string;
  icon: string;
  color: string;
  position: number;
  forms?: FormSummary[];
}
