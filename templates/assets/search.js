// Dossier search: Pagefind's JS API with bundles per language (large languages in several
// shards), merged, so one box searches every language while each is stemmed by its own rules. Results are built
// with DOM methods and textContent: nothing a reader types is ever parsed as HTML. In a preview, pages edited since
// their shard was indexed are in a small "fresh" bundle, and results for their outdated versions are dropped.

const app = document.getElementById("search-app");
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const filterBox = document.getElementById("search-filters");
const sortSelect = document.getElementById("search-sort");
const siteRoot = new URL("../", document.baseURI);
const primary = app.dataset.primary;
const languages = JSON.parse(app.dataset.languages);
const FILTERS = [["type", "Page type"], ["language", "Language"], ["source", "Source"], ["topic", "Topic"]];

let pagefind = null;
let generation = 0;
let outdated = new Set(); // result ids of pages whose newer version is in a fresh bundle (a preview's edit)

function say(text) {
  status.textContent = text;
}

async function load() {
  const index = new URL("pagefind/", siteRoot);
  const manifest = await (await fetch(new URL("shards.json", index), { cache: "no-cache" })).json();
  const shards = manifest.shards;
  const fresh = manifest.fresh || [];
  outdated = new Set(manifest.stale || []);
  const bundles = [];
  for (const lang of [primary, ...languages.filter((l) => l !== primary)]) {
    for (let n = 1; n <= (shards[lang] || 0); n++) bundles.push([lang, new URL(`${lang}/${n}/`, index).href]);
    if (fresh.includes(lang)) bundles.push([lang, new URL(`${lang}/fresh/`, index).href]);
  }
  if (!bundles.length) throw new Error("no search index");
  // Every bundle gets the same base URL, so all result links are site-relative paths.
  const baseUrl = siteRoot.pathname;
  pagefind = await import(bundles[0][1] + "pagefind.js");
  await pagefind.options({ excerptLength: 24, baseUrl });
  for (const [lang, url] of bundles.slice(1)) await pagefind.mergeIndex(url, { language: lang, baseUrl });
  await pagefind.init();
  const available = await pagefind.filters();
  for (const [key, label] of FILTERS) {
    const values = Object.keys(available[key] || {}).sort((a, b) => a.localeCompare(b));
    if (values.length < 2) continue;
    const wrap = document.createElement("div");
    wrap.className = "search-filter";
    const id = `filter-${key}`;
    const lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = label;
    const select = document.createElement("select");
    select.id = id;
    select.name = key;
    select.append(new Option("All", ""));
    for (const value of values) select.append(new Option(value, value));
    select.addEventListener("change", run);
    wrap.append(lab, select);
    filterBox.append(wrap);
  }
}

function selectedFilters() {
  const filters = {};
  for (const select of filterBox.querySelectorAll("select")) {
    if (select.value) filters[select.name] = select.value;
  }
  return filters;
}

// Pagefind's excerpt is escaped text with <mark> around hits; keep only those two things.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const out = [];
  for (const node of template.content.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) out.push(document.createTextNode(node.textContent));
    else if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else out.push(document.createTextNode(node.textContent));
  }
  return out;
}

function resultItem(data) {
  const li = document.createElement("li");
  li.className = "result";
  const type = document.createElement("span");
  type.className = "result-type";
  type.textContent = data.meta.type || "Page";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  if (data.meta.lang) link.lang = data.meta.lang;
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.className = "result-excerpt";
  if (data.meta.lang) excerpt.lang = data.meta.lang;
  excerpt.append(...excerptNodes(data.excerpt || ""));
  li.append(type, heading, excerpt);
  if (data.meta.context) {
    const context = document.createElement("p");
    context.className = "result-context";
    context.textContent = data.meta.context;
    li.append(context);
  }
  return li;
}

async function run(event) {
  if (event) event.preventDefault();
  const query = input.value.trim();
  const url = new URL(location.href);
  if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
  history.replaceState(null, "", url);
  const mine = ++generation;
  const filters = selectedFilters();
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    say("Type a word or a name to search every story, claim, source and person in this dossier.");
    return;
  }
  if (!pagefind) return;
  const options = { filters };
  if (sortSelect.value === "date") options.sort = { date: "desc" };
  const search = await pagefind.search(query || null, options);
  if (mine !== generation || !search) return;
  const results = search.results.filter((r) => !outdated.has(r.id));
  const loaded = await Promise.all(results.slice(0, 30).map((r) => r.data()));
  if (mine !== generation) return;
  // A page in a fresh bundle and in a shard being rebuilt at that moment: show it once.
  const top = loaded.filter((data, i) => loaded.findIndex((other) => other.url === data.url) === i);
  list.replaceChildren(...top.map(resultItem));
  const count = results.length - (loaded.length - top.length);
  if (count === 0) say(`No results for “${query}”.`);
  else say(`${count} result${count === 1 ? "" : "s"}${query ? ` for “${query}”` : ""}${count > 30 ? ", showing the first 30" : ""}.`);
}

let timer = null;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(run, 200);
});
form.addEventListener("submit", run);
sortSelect.addEventListener("change", run);

input.value = new URL(location.href).searchParams.get("q") || "";
app.hidden = false;
say("Loading the search index…");
load()
  .then(() => run())
  .catch(() => say("Search could not load. It needs the site to be served over HTTP (not opened as a file)."));
