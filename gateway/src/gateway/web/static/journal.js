// The journal page's keyboard grid: type 5, 4, н, о in a cell, move with arrows, Tab or Enter.
// Each cell is saved as it is typed (POST, form encoded, with the session's CSRF token); the journal
// decides. A refused value stays in its cell with the journal's reason; a failed save (the journal
// down, the session expired) keeps what was typed, marks the cell and is retried — nothing typed is
// lost silently. Without this script the page is the server-rendered table, read-only.

const ABSENT = new Set(["н", "n", "нб"]);
const LATE = new Set(["о", "оп", "o", "л"]);
const PRESENT = new Set(["+", "п", "p"]);
const SIGNS = { present: "", absent: "н", late: "оп" };
const ATTENDANCE_DELAY_MS = 700; // «все» then a few «н»: one request for the column
const RETRY_MS = 15000;
const STALE = "Не сохранено: страница устарела. Введённое осталось в клетке — обновите страницу в новой вкладке и нажмите «Повторить сохранение».";

const grid = document.getElementById("journal-grid");
if (grid && grid.dataset.editable === "1") {
  setUp(grid);
}

function setUp(table) {
  let csrf = table.dataset.csrf;
  const statusBox = document.getElementById("grid-status");
  const retryBox = document.getElementById("grid-retry-box");
  const tools = document.getElementById("grid-tools");
  const kindSelect = document.getElementById("mark-kind");
  const weightSelect = document.getElementById("mark-weight");
  const failed = new Map(); // input → what to do again (marks and attendance that did not reach the journal)
  const attendanceTimers = new Map(); // lesson id → timer of the column's pending save
  const attendanceSent = new Map(); // lesson id → {student id → status} as the journal last stored it
  let retryTimer = null;
  tools.hidden = false;
  for (const button of table.querySelectorAll(".all-present")) button.hidden = false;

  const rows = Array.from(table.tBodies[0].rows).filter((r) => r.dataset.student);
  const lessons = Array.from(table.tHead.rows[0].querySelectorAll("th[data-lesson]"));
  const labelOf = (th) => `${th.querySelector(".day").textContent} ${th.querySelector(".pair").textContent}`;

  for (const row of rows) {
    const name = row.cells[0].textContent.trim();
    row.querySelectorAll("td[data-lesson]").forEach((td, column) => {
      if (td.classList.contains("off")) return;
      const input = document.createElement("input");
      input.className = "cell-input";
      input.autocomplete = "off";
      input.maxLength = 16;
      input.setAttribute("aria-label", `${name}, ${labelOf(lessons[column])}`);
      input.dataset.student = row.dataset.student;
      input.dataset.lesson = td.dataset.lesson;
      td.append(input);
    });
  }
  for (const th of lessons) {
    attendanceSent.set(th.dataset.lesson, columnStatuses(th.dataset.lesson));
  }

  const opened = table.dataset.opened;
  if (opened) {
    const first = table.querySelector(`td[data-lesson="${opened}"] .cell-input`);
    if (first) {
      first.focus();
      first.scrollIntoView({ block: "nearest", inline: "center" });
    }
  }

  function cellsOf(lessonId) {
    return rows.map((row) => row.querySelector(`td[data-lesson="${lessonId}"]`));
  }

  function columnStatuses(lessonId) {
    const statuses = {};
    for (const td of cellsOf(lessonId)) {
      if (td && td.dataset.status) statuses[td.closest("tr").dataset.student] = td.dataset.status;
    }
    return statuses;
  }

  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.className = `grid-status ${kind || ""}`;
  }

  function showRetry() {
    retryBox.hidden = failed.size === 0;
    if (failed.size && !retryTimer) retryTimer = setTimeout(retryAll, RETRY_MS);
  }

  function setProblem(input, message) {
    const td = input.closest("td");
    td.classList.add("refused");
    input.setAttribute("aria-invalid", "true");
    input.title = message;
    let bubble = td.querySelector(".cell-error");
    if (!bubble) {
      bubble = document.createElement("span");
      bubble.className = "cell-error";
      td.append(bubble);
    }
    bubble.textContent = message;
  }

  function clearProblem(input) {
    const td = input.closest("td");
    td.classList.remove("refused", "unsaved");
    input.removeAttribute("aria-invalid");
    input.title = "";
    const bubble = td.querySelector(".cell-error");
    if (bubble) bubble.remove();
  }

  async function post(url, body) {
    // A redirect is the login page: the session has ended. Never follow it with the typed values.
    body.set("csrf_token", csrf);
    let response;
    try {
      response = await fetch(url, { method: "POST", body, redirect: "manual", credentials: "same-origin" });
    } catch {
      return { kind: "down", message: "Нет связи с сервером. Введённое осталось в клетке и будет отправлено снова." };
    }
    if (response.type === "opaqueredirect" || response.status === 401) {
      return { kind: "expired" };
    }
    const json = (response.headers.get("content-type") || "").includes("application/json")
      ? await response.json()
      : null;
    if (json === null) {
      // The portal's own page: a CSRF token of an old session (a new login in another tab), or a 403.
      if (response.status === 403 && (await refreshToken())) return { kind: "again" };
      return { kind: "down", message: `Сервер ответил ${response.status}. Введённое осталось в клетке.` };
    }
    if (json.ok) return { kind: "ok", json };
    if (response.status >= 500) return { kind: "down", message: json.message };
    return { kind: "refused", message: json.message, code: json.code };
  }

  async function refreshToken() {
    try {
      const response = await fetch("/journal/token", { redirect: "manual", credentials: "same-origin" });
      if (!response.ok) return false;
      const fresh = (await response.json()).csrf_token;
      if (!fresh || fresh === csrf) return false;
      csrf = fresh;
      return true;
    } catch {
      return false;
    }
  }

  function expired() {
    statusBox.className = "grid-status problem";
    statusBox.replaceChildren(
      "Сеанс истёк. Введённое не потеряно: ",
      Object.assign(document.createElement("a"), {
        href: "/login?next=" + encodeURIComponent("/"),
        target: "_blank",
        rel: "noopener",
        textContent: "войдите снова в новой вкладке",
      }),
      ", затем нажмите «Повторить сохранение».",
    );
  }

  async function sendMark(input, value) {
    const body = new URLSearchParams({
      lesson_id: input.dataset.lesson,
      student_id: input.dataset.student,
      value,
      kind_of_work: kindSelect.value,
      weight: weightSelect.value,
    });
    input.closest("td").classList.add("saving");
    let answer = await post(table.dataset.marksUrl, body);
    if (answer.kind === "again") answer = await post(table.dataset.marksUrl, body);
    input.closest("td").classList.remove("saving");
    return answer;
  }

  async function commit(input) {
    const value = input.value.trim();
    if (!value || input.dataset.busy === value) return;
    const word = value.toLowerCase();
    if (ABSENT.has(word) || LATE.has(word) || PRESENT.has(word)) {
      const status = ABSENT.has(word) ? "absent" : LATE.has(word) ? "late" : "present";
      setStatus(input.closest("td"), status);
      input.value = "";
      clearProblem(input);
      scheduleAttendance(input.dataset.lesson);
      return;
    }
    input.dataset.busy = value;
    const answer = await sendMark(input, value);
    delete input.dataset.busy;
    settle(input, answer, value, () => commit(input));
  }

  function settle(input, answer, value, again) {
    if (answer.kind === "ok") {
      failed.delete(input);
      clearProblem(input);
      if (input.value.trim() === value) input.value = "";
      const marks = input.closest("td").querySelector(".marks");
      const mark = document.createElement("span");
      mark.className = "mark";
      if (answer.json.mark_id) markable(mark, answer.json.mark_id);
      mark.title = answer.json.hint;
      mark.textContent = answer.json.value;
      if (answer.json.weight > 1) {
        const weight = document.createElement("sub");
        weight.textContent = `×${answer.json.weight}`;
        mark.append(weight);
      }
      marks.append(mark);
      say(`Сохранено: ${answer.json.value}`, "ok");
    } else if (answer.kind === "refused") {
      failed.delete(input);
      setProblem(input, answer.message);
      say(`Не сохранено: «${value}» — ${answer.message}`, "problem");
    } else {
      failed.set(input, again);
      input.closest("td").classList.add("unsaved");
      input.title = "Не сохранено — будет отправлено снова";
      if (answer.kind === "expired") expired();
      else say(answer.message || STALE, "problem");
    }
    showRetry();
  }

  function setStatus(td, status) {
    td.dataset.status = status;
    td.querySelector(".att").textContent = SIGNS[status] || "";
    td.classList.add("pending");
  }

  function scheduleAttendance(lessonId) {
    clearTimeout(attendanceTimers.get(lessonId));
    attendanceTimers.set(
      lessonId,
      setTimeout(() => saveAttendance(lessonId), ATTENDANCE_DELAY_MS),
    );
  }

  async function saveAttendance(lessonId) {
    attendanceTimers.delete(lessonId);
    const cells = cellsOf(lessonId).filter((td) => td && !td.classList.contains("off"));
    const body = new URLSearchParams({ lesson_id: lessonId });
    for (const td of cells) {
      if (!td.dataset.status) continue;
      const reason = td.dataset.status === "present" ? "" : td.dataset.reason || "";
      body.append("entry", `${td.closest("tr").dataset.student}:${td.dataset.status}${reason ? ":" + reason : ""}`);
    }
    let answer = await post(table.dataset.attendanceUrl, body);
    if (answer.kind === "again") answer = await post(table.dataset.attendanceUrl, body);
    const anchor = cells.find((td) => td.classList.contains("pending"))?.querySelector(".cell-input") || cells[0]?.querySelector(".cell-input");
    if (answer.kind === "ok") {
      attendanceSent.set(lessonId, answer.json.entries);
      for (const td of cells) td.classList.remove("pending", "unsaved");
      if (anchor) failed.delete(anchor);
      const absent = Object.values(answer.json.entries).filter((s) => s !== "present").length;
      say(`Посещаемость сохранена: отсутствуют или опоздали — ${absent}`, "ok");
    } else if (answer.kind === "refused") {
      // Back to what the journal has; the reason is shown, nothing is half-stored.
      const stored = attendanceSent.get(lessonId) || {};
      for (const td of cells) {
        const status = stored[td.closest("tr").dataset.student] || "";
        td.dataset.status = status;
        td.querySelector(".att").textContent = SIGNS[status] || "";
        td.classList.remove("pending");
      }
      say(`Посещаемость не сохранена: ${answer.message}`, "problem");
    } else {
      for (const td of cells) if (td.classList.contains("pending")) td.classList.add("unsaved");
      if (anchor) failed.set(anchor, () => saveAttendance(lessonId));
      if (answer.kind === "expired") expired();
      else say(answer.message || STALE, "problem");
    }
    showRetry();
  }

  async function retryAll() {
    clearTimeout(retryTimer);
    retryTimer = null;
    const again = Array.from(failed.values());
    failed.clear();
    say("Повторяю сохранение…", "");
    for (const action of again) await action();
    showRetry();
  }

  function inputAt(rowIndex, columnIndex) {
    const row = rows[rowIndex];
    if (!row) return null;
    const td = row.querySelectorAll("td[data-lesson]")[columnIndex];
    return td ? td.querySelector(".cell-input") : null;
  }

  function move(input, dRow, dColumn) {
    const td = input.closest("td");
    let r = rows.indexOf(td.closest("tr"));
    let c = Array.from(td.parentElement.querySelectorAll("td[data-lesson]")).indexOf(td);
    for (let step = 0; step < rows.length + lessons.length; step += 1) {
      r += dRow;
      c += dColumn;
      if (r < 0 || r >= rows.length || c < 0 || c >= lessons.length) return;
      const next = inputAt(r, c);
      if (next) {
        next.focus();
        next.select();
        return;
      }
    }
  }

  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!input.classList || !input.classList.contains("cell-input")) return;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    if (event.key === "Enter") {
      event.preventDefault();
      commit(input);
      move(input, event.shiftKey ? -1 : 1, 0);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      move(input, 1, 0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(input, -1, 0);
    } else if (event.key === "ArrowRight" && atEnd) {
      event.preventDefault();
      move(input, 0, 1);
    } else if (event.key === "ArrowLeft" && atStart) {
      event.preventDefault();
      move(input, 0, -1);
    } else if (event.key === "Escape") {
      input.value = "";
      clearProblem(input);
      failed.delete(input);
      showRetry();
    }
  });
  // Leaving a cell (Tab, a click, an arrow) saves what it holds.
  table.addEventListener("change", (event) => {
    if (event.target.classList.contains("cell-input")) commit(event.target);
  });
  table.addEventListener("click", (event) => {
    const button = event.target.closest(".all-present");
    if (!button) return;
    for (const td of cellsOf(button.dataset.lesson)) {
      if (td && !td.classList.contains("off") && !td.dataset.status) setStatus(td, "present");
    }
    scheduleAttendance(button.dataset.lesson);
    const first = table.querySelector(`td[data-lesson="${button.dataset.lesson}"] .cell-input`);
    if (first) first.focus();
  });
  // A mark already in a cell (R3.3): ← in a cell's empty input reaches its marks (← → between them,
  // ↑ ↓ to the next row); a value typed over a mark changes it (Enter saves, Esc gives up), Delete or
  // Backspace removes it after a confirm. Refusals stay in place with the journal's reason.
  function markable(mark, id) {
    mark.dataset.mark = id;
    mark.tabIndex = -1;
    mark.setAttribute("role", "button");
    mark.setAttribute("aria-label", `Оценка ${mark.firstChild ? mark.firstChild.textContent : ""}: введите новую, Delete — удалить`);
  }
  for (const mark of table.querySelectorAll(".mark[data-mark]")) markable(mark, mark.dataset.mark);

  const cellInputOf = (mark) => mark.closest("td").querySelector(".cell-input");
  const markUrl = (mark) => `${table.dataset.marksUrl}/${mark.dataset.mark}`;

  function showMark(mark, json) {
    mark.replaceChildren(json.value);
    mark.title = json.hint;
    if (json.weight > 1) {
      const weight = document.createElement("sub");
      weight.textContent = `×${json.weight}`;
      mark.append(weight);
    }
    markable(mark, mark.dataset.mark);
  }

  function editMark(mark, first) {
    const was = Array.from(mark.childNodes).map((n) => n.cloneNode(true));
    const editor = document.createElement("input");
    editor.className = "mark-edit"; // not a cell-input: the cell's own save must not take it
    editor.maxLength = 16;
    editor.size = 4;
    editor.autocomplete = "off";
    editor.value = first;
    editor.setAttribute("aria-label", `Новое значение оценки ${mark.firstChild ? mark.firstChild.textContent : ""}`);
    mark.replaceChildren(editor);
    editor.focus();
    const giveUp = () => {
      mark.replaceChildren(...was);
      mark.classList.remove("refused");
      mark.focus();
    };
    editor.addEventListener("keydown", async (event) => {
      event.stopPropagation();
      if (event.key === "Escape") {
        event.preventDefault();
        giveUp();
      } else if (event.key === "Enter") {
        event.preventDefault();
        const value = editor.value.trim();
        if (!value) return giveUp();
        let answer = await post(markUrl(mark), new URLSearchParams({ value }));
        if (answer.kind === "again") answer = await post(markUrl(mark), new URLSearchParams({ value }));
        if (answer.kind === "ok") {
          mark.classList.remove("refused");
          showMark(mark, answer.json);
          mark.focus();
          say(`Оценка исправлена: ${answer.json.value}`, "ok");
        } else if (answer.kind === "expired") {
          expired();
        } else {
          mark.classList.add("refused");
          editor.setAttribute("aria-invalid", "true");
          editor.title = answer.message;
          say(`Не исправлено: «${value}» — ${answer.message}`, "problem");
        }
      }
    });
  }

  async function removeMark(mark) {
    const value = mark.firstChild ? mark.firstChild.textContent : "";
    if (!window.confirm(`Удалить оценку «${value}»? Она останется в истории оценки.`)) return;
    let answer = await post(`${markUrl(mark)}/remove`, new URLSearchParams());
    if (answer.kind === "again") answer = await post(`${markUrl(mark)}/remove`, new URLSearchParams());
    if (answer.kind === "ok") {
      const input = cellInputOf(mark);
      mark.remove();
      if (input) input.focus();
      say(`Оценка «${value}» удалена`, "ok");
    } else if (answer.kind === "expired") {
      expired();
    } else {
      mark.classList.add("refused");
      mark.title = answer.message;
      say(`Не удалено: «${value}» — ${answer.message}`, "problem");
    }
  }

  table.addEventListener(
    "keydown",
    (event) => {
      const target = event.target;
      if (target.classList && target.classList.contains("cell-input")) {
        const marks = target.closest("td").querySelectorAll(".mark[data-mark]");
        if (event.key === "ArrowLeft" && !target.value && marks.length) {
          event.preventDefault();
          event.stopPropagation();
          marks[marks.length - 1].focus();
        }
        return;
      }
      if (!target.classList || !target.classList.contains("mark") || !target.dataset.mark) return;
      const input = cellInputOf(target);
      event.stopPropagation();
      if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        removeMark(target);
      } else if (event.key === "ArrowLeft") {
        event.preventDefault();
        const previous = target.previousElementSibling;
        if (previous) previous.focus();
        else if (input) move(input, 0, -1);
      } else if (event.key === "ArrowRight" || event.key === "Escape") {
        event.preventDefault();
        const next = target.nextElementSibling;
        if (next && event.key === "ArrowRight") next.focus();
        else if (input) input.focus();
      } else if ((event.key === "ArrowUp" || event.key === "ArrowDown") && input) {
        event.preventDefault();
        move(input, event.key === "ArrowUp" ? -1 : 1, 0);
      } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        editMark(target, event.key);
      }
    },
    true,
  );
  document.getElementById("grid-retry").addEventListener("click", retryAll);
  window.addEventListener("beforeunload", (event) => {
    const typed = table.querySelectorAll(".cell-input");
    const unsaved = failed.size > 0 || attendanceTimers.size > 0 || Array.from(typed).some((i) => i.value.trim());
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
