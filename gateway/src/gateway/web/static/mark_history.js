// A mark's history from the teacher's grid (R3.3): a double click on a mark, or «?» on a mark reached
// with the keyboard, opens «История оценки». Runs in the capture phase so the grid's own keys
// (journal.js: a value typed over a mark changes it) never see the «?».
const table = document.getElementById("journal-grid");
if (table) {
  const historyOf = (mark) => `/marks/${mark.dataset.mark}/history`;
  table.addEventListener("dblclick", (event) => {
    const mark = event.target.closest(".mark[data-mark]");
    if (mark) window.location.assign(historyOf(mark));
  });
  document.addEventListener(
    "keydown",
    (event) => {
      const mark = event.target.closest && event.target.closest(".mark[data-mark]");
      if (!mark || event.key !== "?") return;
      event.preventDefault();
      event.stopPropagation();
      window.location.assign(historyOf(mark));
    },
    true,
  );
  for (const mark of table.querySelectorAll(".mark[data-mark]")) {
    if (!mark.title.includes("история")) mark.title = `${mark.title}${mark.title ? "; " : ""}двойной щелчок — история`;
  }
}
