// Runs the query typed on the page and shows the answer. Every value is inserted with
// textContent, never as HTML, so text from the graph cannot become markup or script.
"use strict";

const form = document.getElementById("form");
const queryBox = document.getElementById("query");
const paramsBox = document.getElementById("params");
const status = document.getElementById("status");
const results = document.getElementById("results");

document.getElementById("bundled").addEventListener("change", (event) => {
  if (event.target.value) queryBox.value = event.target.value;
});

function showStatus(text, isError) {
  status.textContent = text;
  status.className = isError ? "error" : "";
}

function termText(term) {
  if (!term) return "";
  return term.value;
}

function showSolutions(data) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const cell = document.createElement("th");
    cell.textContent = name;
    head.appendChild(cell);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) row.insertCell().textContent = termText(binding[name]);
  }
  results.replaceChildren(table);
  return data.results.bindings.length;
}

function showText(text) {
  const pre = document.createElement("pre");
  pre.textContent = text;
  results.replaceChildren(pre);
}

async function run() {
  const body = new URLSearchParams({ query: queryBox.value });
  for (const line of paramsBox.value.split("\n")) {
    if (line.trim()) body.append("param", line.trim());
  }
  showStatus("running…", false);
  const started = performance.now();
  try {
    const response = await fetch("sparql", {
      method: "POST",
      headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" },
      body,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      results.replaceChildren();
      showStatus(await response.text(), true);
    } else if (type.includes("json")) {
      const data = await response.json();
      if ("boolean" in data) {
        showText(data.boolean ? "yes" : "no");
        showStatus(`answered in ${seconds}s`, false);
      } else {
        const count = showSolutions(data);
        const cut = response.headers.get("X-KG-Truncated") ? " (cut at the row cap)" : "";
        showStatus(`${count} rows in ${seconds}s${cut}`, false);
      }
    } else {
      showText(await response.text());
      showStatus(`answered in ${seconds}s`, false);
    }
  } catch (error) {
    showStatus(`request failed: ${error}`, true);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

// A link to the page with ?query=… (shareable) runs the query at once.
if (new URLSearchParams(window.location.search).has("query")) run();
