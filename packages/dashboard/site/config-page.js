import { getJson, loadCredentials, saveCredentials, sendJson } from './api.js';
import { configFields, configPatch, fieldText, issuesByField, parseFieldText } from './config-form.js';
import { byTestId, html, replaceChildren } from './dom.js';

/*
 * The settings page: a form built from GET /api/config; Save PUTs only the changed fields and
 * shows each of the server's validation issues next to its field.
 */

let fields = [];

function inputFor(field) {
  const common = {
    name: field.path,
    id: `field-${field.path}`,
    'data-testid': `field-${field.path}`,
    'data-kind': field.kind,
  };
  switch (field.kind) {
    case 'boolean':
      return html('input', { ...common, type: 'checkbox', checked: field.value === true });
    case 'json':
      return html('textarea', { ...common, rows: 3, spellcheck: 'false', text: fieldText(field) });
    case 'secret':
      return html('input', {
        ...common,
        type: 'password',
        autocomplete: 'off',
        placeholder: 'set (unchanged)',
      });
    default:
      return html('input', {
        ...common,
        type: 'text',
        inputmode: field.kind === 'number' ? 'decimal' : undefined,
        placeholder: field.kind === 'nullable' ? 'not set' : undefined,
        value: fieldText(field),
      });
  }
}

function fieldRow(field) {
  const label = field.path.split('.').slice(1).join('.') || field.path;
  return html('div', { class: 'field', 'data-field': field.path }, [
    html('label', { for: `field-${field.path}`, text: label, title: field.path }),
    inputFor(field),
    html('span', { class: 'field-error', 'data-testid': `error-${field.path}`, role: 'alert' }),
  ]);
}

function renderForm(config) {
  fields = configFields(config);
  const sections = new Map();
  for (const field of fields) sections.set(field.section, [...(sections.get(field.section) ?? []), field]);
  replaceChildren(
    byTestId('config-fields'),
    [...sections].map(([section, sectionFields]) =>
      html('fieldset', { 'data-section': section }, [
        html('legend', { text: section }),
        ...sectionFields.map(fieldRow),
      ]),
    ),
  );
}

function valueOf(field) {
  const input = /** @type {HTMLInputElement} */ (document.getElementById(`field-${field.path}`));
  return field.kind === 'boolean' ? input.checked : parseFieldText(field.kind, input.value);
}

function clearErrors() {
  for (const el of document.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of document.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  replaceChildren(byTestId('form-errors'), []);
  setResult('', '');
}

function setResult(kind, text) {
  const result = byTestId('save-result');
  result.dataset.kind = kind;
  result.textContent = text;
}

function showIssues(issues) {
  const grouped = issuesByField(
    issues,
    fields.map((f) => f.path),
  );
  const unplaced = [];
  for (const [path, pathIssues] of grouped) {
    const reasons = pathIssues.map((i) =>
      path === null || i.path !== path ? `${i.path}: ${i.reason}` : i.reason,
    );
    if (path === null) {
      unplaced.push(...reasons);
      continue;
    }
    byTestId(`error-${path}`).textContent = reasons.join('; ');
    document.querySelector(`.field[data-field="${path}"]`)?.classList.add('invalid');
  }
  replaceChildren(
    byTestId('form-errors'),
    unplaced.map((text) => html('li', { text })),
  );
}

/** What a 200 means: nothing changed, applied at once, or when the restart that applies the change begins. */
function savedText(body) {
  if (body.changed.length === 0) return 'Nothing changed: the controller runs with these settings already.';
  if (body.effect === 'live') return 'Saved and applied: the contactors stay as they are.';
  if (body.effect === 'outputs')
    return 'Saved. The outputs (inverter CAN, MQTT, HTTP) restart with the new settings; the BMS core runs on.';
  const inS = body.restart?.inS ?? 0;
  return inS > 0
    ? `Saved. The controller restarts with the new settings in ${Math.ceil(inS)} s.`
    : 'Saved. The controller is restarting with the new settings.';
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const patch = configPatch(fields, new Map(fields.map((f) => [f.path, valueOf(f)])));
  if (patch === null) {
    setResult('info', 'Nothing changed.');
    return;
  }
  setResult('info', 'Saving…');
  const { status, body } = await sendJson('PUT', '/api/config', patch);
  const message = body?.error?.message ?? '';
  if (status === 200) {
    renderForm(body.config);
    setResult('ok', savedText(body));
  } else if (status === 400 && body?.error?.code === 'INVALID_CONFIG') {
    showIssues(body.error.issues ?? []);
    setResult('error', 'Not saved: the controller rejected the settings marked below. Nothing was changed.');
  } else if (status === 403 && body?.error?.code === 'PROTECTED_SETTING') {
    showIssues(body.error.issues ?? []);
    setResult(
      'error',
      'Not saved: the settings marked below cannot be changed from here; edit the config file. Nothing was changed.',
    );
  } else if (status === 401) {
    setResult(
      'error',
      `Not saved: not authorised (${message || 'HTTP 401'}). Enter the user and password, or a token, above.`,
    );
  } else if (status === 403) {
    setResult(
      'error',
      `Not saved: changes over HTTP are switched off on this controller (http.writesEnabled). ${message}`,
    );
  } else if (status === 409) {
    setResult('error', `Not saved: the controller has no writable config file. ${message}`);
  } else if (status === 413) {
    setResult('error', 'Not saved: the change is too large for the server.');
  } else {
    setResult('error', `Not saved: HTTP ${status} ${message}`);
  }
}

async function load() {
  clearErrors();
  try {
    renderForm(await getJson('/api/config'));
  } catch (error) {
    setResult('error', `Could not load the settings: ${error.message}`);
  }
}

function wireCredentials() {
  const form = byTestId('credentials-form');
  /** @param {string} name */
  const input = (name) => /** @type {HTMLInputElement} */ (form.querySelector(`[name="${name}"]`));
  const stored = loadCredentials();
  for (const name of ['username', 'password', 'token']) input(name).value = stored[name];
  form.addEventListener('input', () =>
    saveCredentials({
      username: input('username').value,
      password: input('password').value,
      token: input('token').value,
    }),
  );
  form.addEventListener('submit', (e) => e.preventDefault());
}

wireCredentials();
byTestId('config-form').addEventListener('submit', (e) => void save(e));
byTestId('revert').addEventListener('click', () => void load());
void load();
