/**
 * The pages and partials the web UI draws, as one set handed to src/web/ at
 * start-up (bin/siteward.ts, and test/setup-pages.ts for the tests): src/
 * never imports views/ (issue 18, docs/architecture.md "The web UI").
 * `satisfies Pages` checks every component against the props src/web/ passes.
 */
import type { Pages } from '../src/web/view-data.ts';
import { AckLinkPage } from './pages/ack-link.tsx';
import { ActionFields, ActionPage, ActionsPage } from './pages/actions.tsx';
import { ChartsPage } from './pages/charts.tsx';
import { CheckPage, NewCheckPage, TriggerParse, TypeFields } from './pages/check.tsx';
import { CheckListView, ChecksPage, Chips } from './pages/checks.tsx';
import { ConfigPage, DiffView, RawPage, RawResultView } from './pages/config.tsx';
import { FleetHead, FleetList, FleetPage } from './pages/fleet.tsx';
import { HomeMain, HomePage } from './pages/home.tsx';
import { HostsPage } from './pages/hosts.tsx';
import { ContinuePage, LoginPage } from './pages/login.tsx';
import { CheckReportPage, ReportsPage } from './pages/reports.tsx';
import { ConfirmPage, LogPage, MessagePage } from './pages/simple.tsx';
import { StatusPageManage, StatusPageNew, StatusPagesList } from './pages/status-admin.tsx';
import { StatusPageView } from './pages/status-page.tsx';
import { TokensPage } from './pages/tokens.tsx';
import { TotpLoginPage, TwoFactorPage } from './pages/twofactor.tsx';
import { AccountPage, UserPage, UsersPage } from './pages/users.tsx';
import { LiveRow } from './partials/check-row.tsx';
import { CheckStatus } from './partials/check-status.tsx';
import { FailBadge } from './partials/fail-badge.tsx';
import { FailBanner } from './partials/fail-banner.tsx';
import { History } from './partials/history.tsx';
import { HostCard, HostGrid } from './partials/host-card.tsx';
import { LogBlock } from './partials/log-block.tsx';
import { SiteLogAppend } from './partials/site-log.tsx';
import { Summary } from './partials/summary.tsx';
import { TemplatePreview } from './partials/template-preview.tsx';

export const pages = {
  AccountPage,
  AckLinkPage,
  ActionFields,
  ActionPage,
  ActionsPage,
  ChartsPage,
  CheckListView,
  CheckPage,
  CheckReportPage,
  CheckStatus,
  ChecksPage,
  Chips,
  ConfigPage,
  ConfirmPage,
  ContinuePage,
  DiffView,
  FailBadge,
  FailBanner,
  FleetHead,
  FleetList,
  FleetPage,
  History,
  HomeMain,
  HomePage,
  HostCard,
  HostGrid,
  HostsPage,
  LiveRow,
  LogBlock,
  LogPage,
  LoginPage,
  MessagePage,
  NewCheckPage,
  RawPage,
  RawResultView,
  ReportsPage,
  SiteLogAppend,
  StatusPageManage,
  StatusPageNew,
  StatusPageView,
  StatusPagesList,
  Summary,
  TemplatePreview,
  TokensPage,
  TotpLoginPage,
  TriggerParse,
  TwoFactorPage,
  TypeFields,
  UserPage,
  UsersPage,
} satisfies Pages;
