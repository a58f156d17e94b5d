/**
 * The props of the pages and partials src/web/ draws, and the `Pages` set
 * itself: the routes and render.tsx draw through `deps.pages`, handed in at
 * start-up (src/web/pages.ts), so src/ never imports views/ (issue 18,
 * docs/architecture.md "The web UI"). views/index.ts builds the set and
 * TypeScript checks it against this interface. Re-exported by view-data.ts.
 */
import type { Child } from 'hono/jsx';
import type { Assets } from './assets.ts';
import type { Role } from './auth.ts';
import type { Field } from './fields.ts';
import type { CheckVM, Counts } from './model.ts';
import type { DeliveryRecord, Spark, TransitionVM, Uptime } from './history.ts';
import type { ActionHealthVM, BadgeVM, FederationVM, PushVM, RemoteVM } from './integrations.ts';
import type { CheckList, ListQuery } from './checklist.ts';
import type { DiffResult } from './diff.ts';
import type { CheckTypeInfo } from '../checks/types.ts';
import type { FormState } from './form-state.ts';
import type { GlanceVM } from './glance.ts';
import type { DecisionVM } from './ops-vm.ts';
import type { IncidentPage } from './incidents.ts';
import type { CertVM } from './certs.ts';
import type { PreviewData } from './template-preview.ts';
import type { FleetData } from '../fleet/model.ts';
import type { ChartData } from '../charts/series.ts';
import type { CheckReport, SiteReport } from '../reports/service.ts';
import type { StatusPageConfig } from '../status-pages/config.ts';
import type { Incident } from '../status-pages/incidents.ts';
import type { StatusPageVM } from '../status-pages/model.ts';
import type { HostVM } from './hosts/model.ts';

/** What every page gets besides its own data. */
export interface PageCtx {
  site: string;
  user: string;
  role: Role;
  csrf: string;
  assets: Assets;
  /** failing non-sequence checks (header badge) */
  failCount: number;
  path: string;
  can: { operate: boolean; admin: boolean };
  /** query of the page's live-update stream (`view=checks&…`), or null */
  live: string | null;
  /** what siteward cannot store now (a full disk), for the banner on every page; null when all is stored */
  storage: string | null;
  /** the zone's message authentication (docs/ha.md "Trust"): a node that hears only rejected messages (alert), or an unauthenticated zone; null when neither or outside a zone */
  zoneTrust?: { alert: boolean; text: string } | null;
  /** this instance watches zones: the nav links /fleet */
  fleet?: boolean;
}

export interface ActionRowVM {
  name: string;
  type: string;
  used: number;
  active: boolean;
  errors: string[];
  health: ActionHealthVM | null;
}

export interface ActionFormData {
  name: string | null;
  version: string;
  s: FormState;
  types: [string, string][];
  fields: ActionFieldsProps;
  checkNames: string[];
  conflict: boolean;
  test?: { ok: boolean; message: string };
  deliveries: DeliveryRecord[] | null;
  zoneTime: (t: number | null | undefined) => string;
  health: ActionHealthVM | null;
}

export interface TypeFieldsData {
  type: string;
  info: CheckTypeInfo | null;
  retries: boolean;
  fields: Field[];
}

export interface CheckFormData {
  /** null: a new check */
  name: string | null;
  version: string;
  s: FormState;
  types: [string, string][];
  type: TypeFieldsData;
  trigger: { ok: boolean; warn?: boolean; message: string };
  checkNames: string[];
  actionNames: string[];
  seqNames: string[];
  mqtt: boolean;
  conflict: boolean;
}

export interface CheckPageData {
  vm: CheckVM;
  inseqs: string[];
  history: HistoryProps;
  form: CheckFormData | null;
  config: string;
  /** result line of an action just done (run, pause…) */
  flash?: string;
  /** push URLs, badges, remote source: what the check's type or options add */
  extras: { push: PushVM | null; badges: BadgeVM | null; remote: RemoteVM | null };
  /** why it alerted (or not): recent decisions (src/ops) */
  decisions: DecisionVM[];
  /** FAIL periods, a page of them (src/web/incidents.ts) */
  incidents: IncidentPage;
  /** the certificate the check was last shown (TLS checks), null when none recorded */
  cert: CertVM | null;
}

export interface ChecksPageData {
  list: CheckList;
  counts: Counts;
  /** the check types in use, with how many checks of each */
  types: [string, number][];
  /** the tags in use (options.tags), with how many checks carry each */
  tags: [string, number][];
  /** mirrored checks of other instances */
  remote: number;
  flash?: string;
}

export interface ConfigSections {
  webui: Field[];
  mqtt: Field[];
  plugins: Field[];
  history: Field[];
  scheduler: Field[];
  notifications: Field[];
  api: Field[];
}

export interface RawResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
  diff: DiffResult | null;
  saved?: boolean;
}

export interface HomeData {
  site: string;
  counts: Counts;
  failing: CheckVM[];
  /** failing cards not shown (more than the page holds) */
  more: number;
  anyFailing: boolean;
  /** the at-a-glance tiles: each sequence, then the checks in none (the first HOME_TILES) */
  tiles: CheckVM[];
  /** the first steps of a new site: done or not (the card goes once both are) */
  start: { ownCheck: boolean; notifies: boolean };
}

export interface ReportFormValues {
  month: string;
  from: string;
  to: string;
}

export interface TokenRowVM {
  id: number;
  name: string;
  scope: string;
  prefix: string;
  created: string;
  expires: string;
  lastUsed: string;
  revoked: string;
  state: 'active' | 'expired' | 'revoked';
}

export interface Created {
  id: number;
  name: string;
  scope: string;
  secret: string;
  expires: string;
}

export type TwoFactorState =
  | { kind: 'off' }
  | { kind: 'enrolling'; secret: string; error?: string }
  | { kind: 'on'; left: number; codes?: string[]; error?: string };

/** The account page's password part: change it, set a first one (single sign-on, allowed by the admin), or none. */
export type PasswordMode = 'change' | 'set' | 'none';

export interface RowCtx {
  assets: Assets;
  csrf: string;
  operate: boolean;
  /** where a plain (non-htmx) form post returns to */
  back: string;
  /** the at-a-glance figures of a check (only rows shown are asked for) */
  glance: (vm: CheckVM) => GlanceVM;
  now: number;
}

export interface ActionFieldsProps {
  type: string;
  summary: string;
  fields: Field[];
  s: FormState;
}

export interface HistoryProps {
  id: string;
  uptime: Uptime[];
  spark: Spark;
  transitions: TransitionVM[];
  deliveries: DeliveryRecord[] | null;
  zoneTime: (t: number | null | undefined) => string;
  oob?: boolean;
}

/** Every page and partial src/web/ draws (views/index.ts builds it). */
export interface Pages {
  AckLinkPage: (p: {
    site: string;
    assets: Assets;
    title: string;
    message: string;
    /** the form's target: present while there is something to acknowledge */
    action?: string;
    error?: boolean;
    /** the check's page (for those who can sign in) */
    check?: string;
  }) => Child;
  ActionsPage: (p: { ctx: PageCtx; rows: ActionRowVM[]; flash?: string }) => Child;
  ActionFields: (p: ActionFieldsProps) => Child;
  ActionPage: (p: { ctx: PageCtx; d: ActionFormData }) => Child;
  ChartsPage: (p: { ctx: PageCtx; name: string; data: ChartData }) => Child;
  TypeFields: (p: { d: TypeFieldsData; s: FormState; checkNames: readonly string[] }) => Child;
  TriggerParse: (p: { ok: boolean; warn?: boolean; message: string }) => Child;
  CheckPage: (p: { ctx: PageCtx; d: CheckPageData }) => Child;
  NewCheckPage: (p: { ctx: PageCtx; d: CheckFormData }) => Child;
  CheckListView: (p: { list: CheckList; ctx: RowCtx }) => Child;
  Chips: (p: { q: ListQuery; counts: Counts; types: [string, number][]; tags: [string, number][]; remote: number; oob?: boolean }) => Child;
  ChecksPage: (p: { ctx: PageCtx; rowCtx: RowCtx; d: ChecksPageData }) => Child;
  ConfigPage: (p: {
    ctx: PageCtx;
    s: FormState;
    f: ConfigSections;
    version: string;
    flash?: string;
    conflict?: boolean;
    base: string;
    file: string;
    fed: FederationVM;
    fletchck?: string | null;
  }) => Child;
  DiffView: (p: { diff: DiffResult; from: string; to: string }) => Child;
  RawResultView: (p: { r: RawResult | null }) => Child;
  RawPage: (p: { ctx: PageCtx; text: string; version: string; result: RawResult | null; hasBak: boolean }) => Child;
  FleetHead: (p: { d: FleetData; oob?: boolean }) => Child;
  FleetList: (p: { d: FleetData; oob?: boolean }) => Child;
  FleetPage: (p: { ctx: PageCtx; d: FleetData }) => Child;
  HomeMain: (p: { d: HomeData; ctx: RowCtx; oob?: boolean }) => Child;
  HomePage: (p: { ctx: PageCtx; d: HomeData; rowCtx: RowCtx; kiosk?: boolean }) => Child;
  HostsPage: (p: { ctx: PageCtx; hosts: HostVM[]; now: number }) => Child;
  LoginPage: (p: {
    site: string;
    assets: Assets;
    token: string;
    next: string;
    user?: string;
    error?: string;
    noUsers?: boolean;
    sso?: string;
    /** false: only single sign-on accounts exist, no password form */
    passwords?: boolean;
  }) => Child;
  ContinuePage: (p: { site: string; assets: Assets; next: string; title: string; text: string }) => Child;
  ReportsPage: (p: {
    ctx: PageCtx;
    v: ReportFormValues;
    query: string;
    label: string;
    report: SiteReport | null;
    error?: string;
    time: (t: number) => string;
    /** a status page's report: its title and address (groups are the page's, not checks) */
    page?: { title: string; slug: string };
  }) => Child;
  CheckReportPage: (p: {
    ctx: PageCtx;
    name: string;
    v: ReportFormValues;
    query: string;
    label: string;
    r: CheckReport | null;
    error?: string;
    time: (t: number) => string;
  }) => Child;
  ConfirmPage: (p: {
    ctx: PageCtx;
    title: string;
    question: string;
    action: string;
    button: string;
    danger?: boolean;
    fields?: Record<string, string>;
    cancel: string;
    detail?: Child;
  }) => Child;
  MessagePage: (p: { ctx: PageCtx; title: string; message: Child; back?: string; error?: boolean }) => Child;
  LogPage: (p: { ctx: PageCtx; lines: readonly string[] }) => Child;
  StatusPagesList: (p: { ctx: PageCtx; pages: readonly StatusPageConfig[]; open: Record<string, number>; flash?: string }) => Child;
  StatusPageNew: (p: { ctx: PageCtx; s: FormState }) => Child;
  StatusPageManage: (p: {
    ctx: PageCtx;
    page: StatusPageConfig;
    s: FormState;
    incident: FormState;
    incidents: readonly Incident[];
    flash?: string;
    error?: string;
  }) => Child;
  StatusPageView: (p: { vm: StatusPageVM; assets: Assets; site: string; manage: string | null; report?: string | null }) => Child;
  TokensPage: (p: { ctx: PageCtx; rows: TokenRowVM[]; s: FormState; created?: Created; flash?: string; origin: string }) => Child;
  TotpLoginPage: (p: { site: string; assets: Assets; token: string; user: string; error?: string }) => Child;
  TwoFactorPage: (p: { ctx: PageCtx; s: TwoFactorState }) => Child;
  UsersPage: (p: { ctx: PageCtx; users: { name: string; role: Role; sessions?: number; twofactor?: boolean }[]; flash?: string }) => Child;
  UserPage: (p: { ctx: PageCtx; name: string | null; s: FormState; version: string; suggested?: string; renameable: boolean; conflict?: boolean }) => Child;
  AccountPage: (p: { ctx: PageCtx; s: FormState; done?: boolean; password?: PasswordMode; sso?: string }) => Child;
  LiveRow: (p: { vm: CheckVM; group: string | null; failing?: boolean; ctx: RowCtx; first: boolean; last: boolean }) => Child;
  CheckStatus: (p: { vm: CheckVM; assets: Assets; inseqs: string[]; oob?: boolean }) => Child;
  FailBadge: (p: { count: number; oob?: boolean }) => Child;
  FailBanner: (p: { counts: Counts; oob?: boolean }) => Child;
  History: (p: HistoryProps) => Child;
  HostCard: (p: { host: HostVM; now: number; oob?: boolean }) => Child;
  HostGrid: (p: { hosts: HostVM[]; now: number; oob?: boolean }) => Child;
  LogBlock: (p: { vm: CheckVM; id?: boolean; oob?: boolean }) => Child;
  SiteLogAppend: (p: { lines: readonly string[] }) => Child;
  Summary: (p: { counts: Counts; assets: Assets; oob?: boolean }) => Child;
  TemplatePreview: (p: { d: PreviewData }) => Child;
}

/** The props of page or partial `K`, declared once above: views/ type their components with it. */
export type PropsOf<K extends keyof Pages> = Parameters<Pages[K]>[0];
