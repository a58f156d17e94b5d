/** The action editor's message preview (a sample failing check rendered with the form's template). */
import type { Child } from 'hono/jsx';
import { type PropsOf } from '../../src/web/view-data.ts';

export function TemplatePreview(p: PropsOf<'TemplatePreview'>): Child {
  const { d } = p;
  if (d.problem)
    return (
      <p class="errors" role="alert">
        {d.problem}
      </p>
    );
  return (
    <div class="card preview">
      <p class="muted">
        A sample failing check as this action would send it ({d.format}; {d.size}).
      </p>
      {d.subject !== null ? (
        <p>
          <strong>Subject:</strong> <span id="preview-subject">{d.subject}</span>
        </p>
      ) : null}
      <pre id="preview-body">{d.body}</pre>
    </div>
  );
}
