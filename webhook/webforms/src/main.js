// The page script of /s/<token> (self-report) and /fill/<form_id> (signed-in collectors):
// mounts ODK Web Forms' <OdkWebForm> on #webform and posts its submission to our server.
//
// The page says what to load in data- attributes of #webform:
//   data-form-url    the XForm
//   data-media-url   the form attachments' folder (units.csv …), ending in "/"
//   data-submit-url  where the OpenRosa multipart body goes (xml_submission_file + files)
//   data-lang        "vi" or "en": the texts below (the form's own language is chosen by
//                    the server in the XForm it sends)
//   data-csrf        the dashboard's CSRF token (/fill only)
import { createApp, h } from 'vue';
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from '@getodk/web-forms';

const TEXTS = {
  vi: {
    loading: 'Đang tải biểu mẫu…',
    loadFailed: 'Không tải được biểu mẫu. Vui lòng tải lại trang.',
    sending: 'Đang gửi…',
    network: 'Không gửi được (mất kết nối?). Câu trả lời vẫn còn trên trang: hãy bấm Gửi lại.',
    buttons: { Send: 'Gửi', 'Choose image': 'Chọn ảnh', 'Take picture': 'Chụp ảnh' },
    errors: (n) => (n === 1 ? '1 câu hỏi có lỗi.' : `${n} câu hỏi có lỗi.`),
  },
  en: {
    loading: 'Loading the form…',
    loadFailed: 'The form could not be loaded. Please reload the page.',
    sending: 'Sending…',
    network: 'Could not send (no connection?). Your answers are still here: press Send again.',
    buttons: {},
    errors: (n) => (n === 1 ? '1 question with error.' : `${n} questions with errors.`),
  },
};

const root = document.getElementById('webform');
const cfg = root.dataset;
const t = TEXTS[cfg.lang] ?? TEXTS.vi;
const status = document.getElementById('webform-status');

const say = (text, kind = 'info') => {
  if (!status) return;
  status.textContent = text;
  status.dataset.kind = kind;
  status.hidden = !text;
};

// Form attachments (jr://file-csv/units.csv, jr://file/x.xml …) are served by file name.
const fetchFormAttachment = (url) => {
  const name = String(url).split('/').pop();
  return fetch(cfg.mediaUrl + encodeURIComponent(name), { credentials: 'same-origin' });
};

const messageOf = (xml) => {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return doc.getElementsByTagNameNS('*', 'message')[0]?.textContent ?? '';
};

const onSubmit = async (payload, callback) => {
  const body = payload.data[0];
  say(t.sending);
  const headers = { 'X-OpenRosa-Version': '1.0' };
  if (cfg.csrf) headers['X-CSRFToken'] = cfg.csrf;
  let response;
  try {
    response = await fetch(cfg.submitUrl, { method: 'POST', body, headers, credentials: 'same-origin' });
  } catch {
    say(t.network, 'error');
    return;
  }
  const text = messageOf(await response.text()) || `HTTP ${response.status}`;
  if (response.status === 201 || response.status === 202) {
    say(text, 'success');
    callback?.({ next: POST_SUBMIT__NEW_INSTANCE }); // a fresh, empty form for the next person
    window.scrollTo(0, 0);
  } else {
    say(text, 'error');
  }
};

// The component's own words are English; those on the self-report path get our language
// (button texts and their accessible names, the error banner).
const relabel = () => {
  for (const button of root.querySelectorAll('button')) {
    const label = button.querySelector('.p-button-label, span:not([class])');
    const english = button.getAttribute('aria-label') ?? label?.textContent?.trim();
    const ours = t.buttons[english] ?? (english && Object.values(t.buttons).includes(english) ? english : null);
    if (!ours) continue;
    if (button.getAttribute('aria-label') !== null && button.getAttribute('aria-label') !== ours) {
      button.setAttribute('aria-label', ours);
    }
    if (label && label.textContent.trim() !== ours) label.textContent = ours;
  }
  for (const banner of root.querySelectorAll('.error-banner-placeholder .p-message-text, .form-error-message')) {
    const m = /^(\d+) questions? with errors?\.$/.exec(banner.textContent.trim());
    if (m) banner.textContent = t.errors(Number(m[1]));
  }
};
new MutationObserver(relabel).observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label'] });

const start = async () => {
  say(t.loading);
  let formXml;
  try {
    const response = await fetch(cfg.formUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(String(response.status));
    formXml = await response.text();
  } catch {
    say(t.loadFailed, 'error');
    return;
  }
  const app = createApp({
    render: () => h(OdkWebForm, {
      formXml,
      fetchFormAttachment,
      missingResourceBehavior: 'ERROR',
      trackDevice: true,
      onSubmit,
    }),
  });
  app.use(webFormsPlugin);
  app.mount(root);
  say('');
  document.documentElement.dataset.webform = 'mounted';
};

start();
