/**
 * The one module views/ imports from src/: the page-data types the routes
 * hand to pages, and the display helpers pages use (form state, URLs,
 * plurals), and the `Pages` set's interface views/index.ts satisfies. src/
 * never imports views/ back: the pages are handed in (src/web/pages.ts,
 * docs/architecture.md). Nothing here reaches
 * into the engine: pages get plain objects.
 */
export type { Assets } from './assets.ts';
export type { Role } from './auth.ts';
export type { Field } from './fields.ts';
export type { CheckVM, Counts, DisplayState } from './model.ts';
export type { DeliveryRecord, Spark, TransitionVM, Uptime } from './history.ts';
export type { ActionHealthVM, BadgeVM, FederationVM, PushVM, RemoteVM } from './integrations.ts';
export type { CheckList, Section } from './checklist.ts';
export type { DiffResult } from './diff.ts';
export type { FederationStats } from '../federation/stats.ts';
export type { CheckTypeInfo } from '../checks/types.ts';
export { cid, DISPLAY_STATES, plural } from './model.ts';
export { KEPT } from './secrets.ts';
export { PAGE_ROWS, PER_PAGE, queryString } from './checklist.ts';
export { emptyForm, fieldId, many, one, type FormState } from './form-state.ts';
export type { ListQuery } from './checklist.ts';
export { keptMarker } from './secrets.ts';
export { percentText } from './history.ts';
export { msText, relative, type GlanceVM } from './glance.ts';
export type { DecisionVM } from './ops-vm.ts';
export type { IncidentPage, IncidentVM } from './incidents.ts';
export type { CertVM } from './certs.ts';
export type { PreviewData } from './template-preview.ts';
export type { FleetData, FleetState } from '../fleet/model.ts';
export { RANGE_WORDS, RANGES, type ChartData, type Limits, type RangeKey, type Series } from '../charts/series.ts';
export type { CheckReport, GroupReport, SiteReport } from '../reports/service.ts';
export type { Report } from '../reports/sla.ts';
export type { StatusPageConfig } from '../status-pages/config.ts';
export type { Incident } from '../status-pages/incidents.ts';
export type { StatusCheckVM, StatusPageVM } from '../status-pages/model.ts';
export { pctText } from '../status-pages/bars.ts';
export type * from './page-props.ts';
export { THEME_COOKIE, ThemeContext, themeOf, type Theme } from './theme.ts';

export const enc = encodeURIComponent;
export const checkUrl = (name: string, tail = ''): string => `/check/${enc(name)}${tail}`;
export const actionUrl = (name: string, tail = ''): string => `/action/${enc(name)}${tail}`;
export const userUrl = (name: string, tail = ''): string => `/user/${enc(name)}${tail}`;
export type { HostVM, TileVM } from './hosts/model.ts';
export type { DiskVM, NasAlertVM, PoolVM, VdevVM } from './hosts/pools.ts';
export { sparkGeometry, type SparkGeometry } from './hosts/spark.ts';
