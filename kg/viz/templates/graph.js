// kg graph page: draws the precomputed layout and wires search, type filter and details.
// Untrusted text is only ever set through textContent / innerText (vis-network shows string
// titles as text), never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var options = JSON.parse(document.getElementById("kg-options").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.kg = { network: network, nodes: nodes, edges: edges, ready: false };
  network.once("afterDrawing", function () {
    window.kg.ready = true;
    window.kg.drawnAt = performance.now();
    document.body.setAttribute("data-ready", "true");
  });

  function element(tag, text) {
    var el = document.createElement(tag);
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function showDetails(id) {
    var panel = document.getElementById("kg-details");
    panel.replaceChildren();
    var node = nodes.get(id);
    if (!node) { return; }
    panel.appendChild(element("h2", node.title && node.group === "Paper" ? node.title.split("\n")[0] : node.label));
    var list = element("dl");
    function row(name, value) {
      if (value === undefined || value === null || value === "") { return; }
      list.appendChild(element("dt", name));
      var dd = element("dd");
      if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
      list.appendChild(dd);
    }
    row("type", node.group);
    row("aliases", (node.aliases || []).join(", "));
    row("papers", node.paper_count);
    row("date", node.date);
    var url = safeUrl(node.url);
    if (url) {
      var link = element("a", url);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      row("link", link);
    }
    row("IRI", node.iri);
    panel.appendChild(list);
  }

  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.5, animation: false });
    showDetails(id);
  }

  network.on("click", function (params) {
    if (params.nodes.length) { showDetails(params.nodes[0]); }
  });

  // search: exact label/alias/title first, then prefix, then substring; Enter again cycles
  var matches = [];
  var position = -1;
  var lastQuery = null;
  function names(node) {
    return [node.label].concat(node.aliases || [], node.group === "Paper" && node.title ? [node.title.split("\n")[0]] : []);
  }
  function rank(node, query) {
    var best = 3;
    names(node).forEach(function (name) {
      var text = String(name).toLowerCase();
      if (text === query) { best = Math.min(best, 0); }
      else if (text.indexOf(query) === 0) { best = Math.min(best, 1); }
      else if (text.indexOf(query) > 0) { best = Math.min(best, 2); }
    });
    return best;
  }
  function search(query) {
    query = query.trim().toLowerCase();
    if (!query) { return []; }
    var found = [];
    nodes.forEach(function (node) {
      if (node.hidden) { return; }
      var r = rank(node, query);
      if (r < 3) { found.push([r, node.label, node.id]); }
    });
    found.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return found.map(function (item) { return item[2]; });
  }
  document.getElementById("kg-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("kg-search").value;
    var status = document.getElementById("kg-search-status");
    if (query !== lastQuery) {
      matches = search(query);
      position = -1;
      lastQuery = query;
    }
    if (!matches.length) { status.textContent = "no match"; return; }
    position = (position + 1) % matches.length;
    status.textContent = (position + 1) + " of " + matches.length;
    focusNode(matches[position]);
  });
  window.kg.search = search;
  window.kg.focusNode = focusNode;

  // filter by type: hide or show every node of a type (vis-network hides their edges too)
  document.querySelectorAll("#kg-legend input[data-type]").forEach(function (box) {
    box.addEventListener("change", function () {
      var type = box.getAttribute("data-type");
      var changes = nodes.get({ filter: function (node) { return node.group === type; } })
        .map(function (node) { return { id: node.id, hidden: !box.checked }; });
      nodes.update(changes);
      lastQuery = null;
    });
  });
})();
