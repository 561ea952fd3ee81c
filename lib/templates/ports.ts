/** One SES template's three parts, as SES stores them. */
export interface SesTemplateContent {
  subject: string;
  html?: string;
  text?: string;
}

/** SES's template API, as the templates context uses it. */
export interface TemplateStore {
  /** Names of every SES template starting with the prefix. */
  list(prefix: string): Promise<string[]>;
  get(sesName: string): Promise<SesTemplateContent | null>;
  /** Creates or replaces; true when it was created. */
  put(sesName: string, content: SesTemplateContent): Promise<boolean>;
  /** Creates only if missing; false when it exists (seeding never overwrites an edit). */
  createIfMissing(sesName: string, content: SesTemplateContent): Promise<boolean>;
  /** False when there was nothing to delete. */
  delete(sesName: string): Promise<boolean>;
  /** The rendered MIME message (SES TestRenderEmailTemplate). */
  render(sesName: string, data: Record<string, unknown>): Promise<string>;
}

/** The last change of a template through the API: when, and who (key name or user). */
export interface TemplateChange {
  at: string;
  by?: string;
}

/** Port: where template changes are recorded (SES templates carry no such metadata). */
export interface TemplateChangeLog {
  get(name: string): Promise<TemplateChange | null>;
  record(name: string, change: TemplateChange): Promise<void>;
  remove(name: string): Promise<void>;
}
