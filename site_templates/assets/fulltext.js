/* 全文检索: fetch one district's full-text shard (search/projects-<district>.json) only when asked,
   match every term as a substring (Chinese needs no word breaks for that), and show the results as
   text. Locations are checked against the shape govsite writes before they become links. */
(function () {
  "use strict";
  var form = document.getElementById("govsite-fulltext");
  if (!form) return;
  var status = document.getElementById("govsite-fulltext-status");
  var list = document.getElementById("govsite-fulltext-results");
  var shards = {};
  var LOCATION = /^projects\/[A-Z]{2}-[0-9]{4}-[0-9]{3,4}\/$/;
  var SHOWN = 50;

  function load(district) {
    if (!/^[a-z]+$/.test(district)) return Promise.reject(new Error("district"));
    if (!shards[district]) {
      shards[district] = fetch("../search/projects-" + district + ".json").then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
    }
    return shards[district];
  }

  function excerpt(text, term) {
    var at = text.indexOf(term);
    var start = Math.max(0, at - 30);
    return (start > 0 ? "……" : "") + text.slice(start, start + 90) + (start + 90 < text.length ? "……" : "");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var district = form.elements.district.value;
    var terms = form.elements.q.value.trim().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!terms.length) {
      status.textContent = "请输入要检索的词语。";
      return;
    }
    status.textContent = "正在检索……";
    load(district).then(function (shard) {
      var found = shard.docs.filter(function (doc) {
        var haystack = doc.title + " " + doc.text;
        return terms.every(function (term) { return haystack.indexOf(term) !== -1; });
      });
      found.slice(0, SHOWN).forEach(function (doc) {
        if (!LOCATION.test(doc.location)) return;
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "../" + doc.location;
        link.textContent = doc.title;
        var text = document.createElement("p");
        text.textContent = excerpt(doc.text, terms[0]);
        item.appendChild(link);
        item.appendChild(text);
        list.appendChild(item);
      });
      status.textContent = found.length
        ? "找到 " + found.length + " 个项目" + (found.length > SHOWN ? "，显示前 " + SHOWN + " 个。" : "。")
        : "没有找到包含这些词语的项目。";
    }).catch(function () {
      status.textContent = "无法读取该区的全文索引，请稍后再试。";
    });
  });
})();
