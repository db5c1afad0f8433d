// Dossier preview client: reloads the page when the site is rebuilt and shows content problems
// over it. Only `dossier serve` sends it (it is never written to the output folder).
//
// The site's Content-Security-Policy allows scripts and connections from 'self' only and no
// inline styles, so this is an external script, the overlay is styled through the CSSOM
// (element.style, which CSP does not restrict), and problem text is set with textContent only.
(() => {
  "use strict";
  const script = document.currentScript;
  const generation = script ? script.dataset.generation : "";
  const events = new URL("events", script ? script.src : location.href);
  const OVERLAY_ID = "dossier-preview-problems";
  let overlay = null;

  function style(element, properties) {
    Object.assign(element.style, properties);
    return element;
  }

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(problems) {
    hide();
    overlay = style(document.createElement("section"), {
      position: "fixed", left: "0", right: "0", top: "0", zIndex: "2147483647",
      maxHeight: "60vh", overflow: "auto", margin: "0", padding: "1rem 1.25rem",
      background: "#3b0d0c", color: "#fff", borderBottom: "4px solid #e5484d",
      font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      boxShadow: "0 4px 16px rgba(0, 0, 0, 0.4)",
    });
    overlay.id = OVERLAY_ID;
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("lang", "en");

    const heading = style(document.createElement("h2"), { fontSize: "15px", fontWeight: "bold", margin: "0 0 0.5rem" });
    const count = problems.length;
    heading.textContent = `dossier: ${count} problem${count === 1 ? "" : "s"} — the last good build is shown`;
    overlay.append(heading);

    const list = style(document.createElement("ul"), { margin: "0", padding: "0 0 0 1.25rem" });
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    overlay.append(list);

    const close = style(document.createElement("button"), {
      position: "absolute", top: "0.5rem", right: "0.75rem", background: "transparent",
      color: "inherit", border: "1px solid currentColor", borderRadius: "4px", cursor: "pointer",
      font: "inherit", padding: "0 0.5rem",
    });
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide until the next change");
    close.addEventListener("click", () => style(overlay, { display: "none" }));
    overlay.append(close);

    document.body.append(overlay);
  }

  function settle(data) {
    // A page from an older build, or one showing problems that are now fixed: load it afresh.
    if (overlay || data.generation !== generation) {
      hide();
      location.reload();
    }
  }

  const source = new EventSource(events);
  source.addEventListener("reload", (event) => settle(JSON.parse(event.data)));
  source.addEventListener("ok", (event) => settle(JSON.parse(event.data)));
  source.addEventListener("errors", (event) => show(JSON.parse(event.data).problems));
})();
