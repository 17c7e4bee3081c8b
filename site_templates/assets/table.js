/* 项目一览: filter and sort every project in the browser, over one compact JSON file
   (data/projects.min.json: column names once, then one array per project). The filters live in the
   page's address (?district=minhang&stage=approved&sort=amount&dir=desc), so a view can be shared and
   the back button works. Text from project files is only ever set as textContent, and links are
   built from ids checked against the registry's id pattern. No framework: 10,000 rows filter in a
   few milliseconds, and only the rows shown are put in the page. */
(function () {
  "use strict";
  var form = document.getElementById("govsite-table-form");
  var table = document.getElementById("govsite-table");
  if (!form || !table) return;
  var body = table.tBodies[0];
  var status = document.getElementById("govsite-table-status");
  var more = document.getElementById("govsite-table-more");
  var ID = /^[A-Z]{2}-[0-9]{4}-[0-9]{3,4}$/;
  var PAGE = 100;
  var FILTERS = ["kw", "district", "dept", "stage", "type", "year", "amount", "major", "overdue"];
  var BANDS = { "0-50": [0, 50], "50-200": [50, 200], "200-500": [200, 500], "500-1000": [500, 1000], "1000-": [1000, Infinity] };
  var data = null;
  var shown = PAGE;
  var sort = { key: "id", dir: "asc" };

  function field(row, name) { return row[data.index[name]]; }

  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (name) {
      var control = form.elements[name];
      var value = params.get(name) || "";
      if (control.type === "checkbox") control.checked = value === "yes";
      else control.value = value;
    });
    var key = params.get("sort");
    if (key && data.index[key] !== undefined) sort.key = key;
    sort.dir = params.get("dir") === "desc" ? "desc" : "asc";
  }

  function writeAddress() {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var control = form.elements[name];
      var value = control.type === "checkbox" ? (control.checked ? "yes" : "") : control.value.trim();
      if (value) params.set(name, value);
    });
    if (sort.key !== "id" || sort.dir !== "asc") { params.set("sort", sort.key); params.set("dir", sort.dir); }
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function matches(row, f) {
    if (f.district && field(row, "district") !== f.district) return false;
    if (f.stage && field(row, "stage") !== f.stage) return false;
    if (f.type && field(row, "type") !== f.type) return false;
    if (f.year && String(field(row, "year")) !== f.year) return false;
    if (f.major && field(row, "major") !== (f.major === "yes")) return false;
    if (f.overdue && !field(row, "overdue")) return false;
    if (f.amount && BANDS[f.amount]) {
      var amount = field(row, "amount");
      if (amount < BANDS[f.amount][0] || amount >= BANDS[f.amount][1]) return false;
    }
    if (f.dept && (field(row, "unit") + " " + field(row, "authority")).indexOf(f.dept) === -1) return false;
    if (f.kw) {
      // any part of the name (two characters from its middle will do), the id, the unit or a 文号
      // ("kw", not "q": the theme opens its own search for ?q=)
      var haystack = [field(row, "id"), field(row, "name"), field(row, "unit"), field(row, "authority"), field(row, "refs")].join(" ");
      var terms = f.kw.split(/\s+/);
      for (var i = 0; i < terms.length; i++) {
        if (haystack.toUpperCase().indexOf(terms[i].toUpperCase()) === -1) return false;
      }
    }
    return true;
  }

  function compare(a, b) {
    var x = field(a, sort.key), y = field(b, sort.key);
    var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
    if (order === 0) order = field(a, "id").localeCompare(field(b, "id"));
    return sort.dir === "desc" ? -order : order;
  }

  function cell(row, text, heading, className) {
    var td = document.createElement("td");
    td.setAttribute("data-label", heading);
    if (className) td.className = className;
    if (text instanceof Node) td.appendChild(text); else td.textContent = text;
    row.appendChild(td);
  }

  function label(kind, value) { return (data.labels[kind] || {})[value] || value; }

  function render() {
    var f = {};
    FILTERS.forEach(function (name) {
      var control = form.elements[name];
      f[name] = control.type === "checkbox" ? (control.checked ? "yes" : "") : control.value.trim();
    });
    var found = data.rows.filter(function (row) { return matches(row, f); }).sort(compare);
    var fragment = document.createDocumentFragment();
    found.slice(0, shown).forEach(function (row) {
      var tr = document.createElement("tr");
      var id = field(row, "id");
      var link;
      if (ID.test(id)) {
        link = document.createElement("a");
        link.href = "../projects/" + id + "/";
        link.textContent = id;
      } else {
        link = document.createTextNode(id);
      }
      cell(tr, link, "编号");
      cell(tr, field(row, "name") + (field(row, "major") ? "（重大项目）" : "") + (field(row, "overdue") ? "（有逾期事项）" : ""), "名称", "govsite-table-name");
      cell(tr, field(row, "unit"), "项目单位");
      cell(tr, label("district", field(row, "district")), "区");
      cell(tr, label("stage", field(row, "stage")), "阶段");
      cell(tr, String(field(row, "year")), "资金年度");
      cell(tr, field(row, "amount").toLocaleString("zh-CN"), "总投资（万元）", "govsite-number");
      fragment.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-key") === sort.key ? (sort.dir === "asc" ? "ascending" : "descending") : "none");
    });
    var total = found.reduce(function (sum, row) { return sum + field(row, "amount"); }, 0);
    status.textContent = found.length
      ? "符合条件的项目 " + found.length + " 个，总投资 " + total.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 万元" +
        (found.length > shown ? "；显示前 " + shown + " 个。" : "。")
      : "没有符合条件的项目。";
    more.hidden = found.length <= shown;
  }

  // A text field fires "change" again when it loses focus, which is when someone taps a result:
  // re-rendering then would replace the link under their finger, so an unchanged view is left alone.
  var lastView = null;
  function update() {
    var view = FILTERS.map(function (name) {
      var control = form.elements[name];
      return control.type === "checkbox" ? String(control.checked) : control.value.trim();
    }).join("\u0000");
    if (view === lastView) return;
    lastView = view;
    shown = PAGE;
    writeAddress();
    render();
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  form.addEventListener("reset", function () {
    window.setTimeout(function () { sort = { key: "id", dir: "asc" }; lastView = null; update(); }, 0);
  });
  more.addEventListener("click", function () { shown += PAGE; render(); });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      sort = { key: key, dir: sort.key === key && sort.dir === "asc" ? "desc" : "asc" };
      writeAddress();
      render();
    });
  });

  fetch("../data/projects.min.json").then(function (response) {
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }).then(function (loaded) {
    data = loaded;
    data.index = {};
    data.columns.forEach(function (name, i) { data.index[name] = i; });
    readAddress();
    update();
  }).catch(function () {
    status.textContent = "无法读取项目数据，请稍后再试，或下载开放数据中的表格。";
  });
})();
