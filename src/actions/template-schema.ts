/**
 * The shape of a message template (src/actions/template.ts renders it),
 * apart so the site file's schema can use it without the renderer.
 */
import Mustache from 'mustache';
import { z } from 'zod';

/** A template Mustache cannot read (an unclosed section, a bad tag) is a config error with its path. */
const mustache = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((v, ctx) => {
      try {
        Mustache.parse(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `not a valid template: ${(e as Error).message}` });
      }
    });

export const MAX_TEMPLATE = 8192;

export const TemplateSchema = z.strictObject({
  subject: mustache(1024).optional().describe('subject or title; default: the built-in one'),
  body: mustache(MAX_TEMPLATE).optional().describe('message text; default: the built-in one'),
});
export type Template = z.output<typeof TemplateSchema>;

/** The option every text-sending action type has. */
export const templateOption = TemplateSchema.optional().describe(
  'siteward: {"subject": "…", "body": "…"} with {{name}}, {{type}}, {{state}}, {{level}}, {{log}}, {{site}}, {{since}}, {{url}}, … (docs/actions.md "Message templates"); default: the site\'s notifications.template, else the built-in text',
);
