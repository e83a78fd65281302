/* physml-book: click-to-zoom for figures and a visible cue on tables that scroll sideways.
   Plain JavaScript, no library, nothing loaded from the network. */
(function () {
  "use strict";

  /* ---- click-to-zoom: a figure's image opens at its full resolution over the page ---- */
  function zoomable(img) {
    // notebook figures (myst-nb) and figures of the prose pages; not logos or icons
    return img.closest("article") !== null && img.closest("a") === null &&
      (img.closest("figure") !== null || img.closest(".cell_output") !== null);
  }

  function openZoom(img) {
    var overlay = document.createElement("div");
    overlay.className = "physml-zoom";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", "Enlarged figure (click or press Escape to close)");
    overlay.tabIndex = -1;
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    overlay.appendChild(big);
    var caption = img.closest("figure") && img.closest("figure").querySelector("figcaption");
    if (caption) {
      var text = document.createElement("p");
      text.className = "physml-zoom-caption";
      var number = caption.querySelector(".caption-number");
      var body = caption.querySelector(".caption-text");
      text.textContent = body ? ((number ? number.textContent : "") + body.textContent).trim()
                              : caption.textContent.replace(/#$/, "").trim();
      overlay.appendChild(text);
    }
    function close() {
      document.removeEventListener("keydown", onKey);
      overlay.remove();
      document.body.classList.remove("physml-zoom-open");
      img.focus();
    }
    function onKey(event) {
      if (event.key === "Escape") close();
    }
    overlay.addEventListener("click", close);
    document.addEventListener("keydown", onKey);
    document.body.appendChild(overlay);
    document.body.classList.add("physml-zoom-open");
    overlay.focus();
  }

  function setUpZoom() {
    document.querySelectorAll("article img").forEach(function (img) {
      if (!zoomable(img)) return;
      img.classList.add("physml-zoomable");
      img.tabIndex = 0;
      img.setAttribute("role", "button");
      img.title = "Click to enlarge";
      img.addEventListener("click", function () { openZoom(img); });
      img.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          openZoom(img);
        }
      });
    });
  }

  /* ---- tables: scroll sideways inside their own box, with a cue while more lies beyond ---- */
  function scroller(table) {
    var parent = table.parentElement;
    if (parent.classList.contains("pst-scrollable-table-container") ||
        parent.classList.contains("physml-table-scroll")) {
      return parent;
    }
    var box = document.createElement("div");
    box.className = "physml-table-scroll";
    parent.insertBefore(box, table);
    box.appendChild(table);
    return box;
  }

  function updateCue(box) {
    var more = box.scrollWidth - box.clientWidth;
    box.classList.toggle("physml-scrolls", more > 1);
    box.classList.toggle("physml-more-right", box.scrollLeft < more - 1);
    box.classList.toggle("physml-more-left", box.scrollLeft > 1);
  }

  function setUpTables() {
    var boxes = [];
    document.querySelectorAll("article table").forEach(function (table) {
      var box = scroller(table);
      box.classList.add("physml-table-scroll");
      if (!box.hasAttribute("tabindex")) box.tabIndex = 0;   // keyboard users can scroll it too
      // the cue is drawn on a wrapper that does not scroll with the table
      if (!box.parentElement.classList.contains("physml-table-frame")) {
        var frame = document.createElement("div");
        frame.className = "physml-table-frame";
        box.parentElement.insertBefore(frame, box);
        frame.appendChild(box);
        var hint = document.createElement("div");
        hint.className = "physml-scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = "scroll sideways for more \u2192";
        frame.appendChild(hint);
      }
      box.addEventListener("scroll", function () { updateCue(box); updateFrame(box); }, { passive: true });
      boxes.push(box);
    });
    function all() {
      boxes.forEach(function (box) { updateCue(box); updateFrame(box); });
    }
    window.addEventListener("resize", all);
    all();
  }

  function updateFrame(box) {
    var frame = box.parentElement;
    var hint = frame.querySelector(".physml-scroll-hint");
    if (hint) {
      hint.textContent = box.classList.contains("physml-more-right") ?
        "scroll sideways for more \u2192" : "\u2190 scroll back";
    }
    ["physml-scrolls", "physml-more-right", "physml-more-left"].forEach(function (name) {
      frame.classList.toggle(name, box.classList.contains(name));
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    setUpZoom();
    setUpTables();
  });
})();
