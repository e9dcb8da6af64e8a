// The quarterly report's print button (the page itself prints from the browser's menu too).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
