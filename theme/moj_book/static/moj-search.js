// The book's search results, as GOV.UK shows them: "3 results for ...", each page once, with
// the sentence that matched and the words in it marked. Sphinx's searchtools.js still finds
// the pages (its index, stemmer and scores); this script shows what it found. Sphinx's own
// display lists a page once per title, glossary entry or word that matched, and reads each
// page's text from a [role=main] element this theme has not got. No dependencies; offline.
(function () {
  "use strict";
  if (typeof Search === "undefined") {
    return;
  }
  // The blocks of a page whose text is searched for the matching sentence; prose comes before
  // a title, a term, a header or a line of code that has the same words.
  var BLOCKS = "h1, h2, h3, h4, p, li, dt, dd, th, td, caption, figcaption, pre";
  var PROSE = "P, LI, DD, TD, FIGCAPTION";
  // A snippet longer than this many characters is cut around its first match.
  var LONGEST = 300;

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Words that start with a searched word, or with its stem (Sphinx matches stems: "quarantin").
  function matcher(words) {
    var alternatives = words.filter(Boolean).map(escapeRegExp).sort(function (a, b) {
      return b.length - a.length;
    });
    return alternatives.length ? new RegExp("(?:^|[^\\p{L}\\p{N}])((?:" + alternatives.join("|") + ")[\\p{L}\\p{N}]*)", "giu") : null;
  }

  // The sentences of a piece of a page, in order: prose split at full stops, code line by line.
  function sentences(root) {
    var found = [];
    root.querySelectorAll(BLOCKS).forEach(function (block) {
      if (block.querySelector(BLOCKS) || block.closest("nav, script, style, .app-download")) {
        return;
      }
      var prose = PROSE.split(", ").indexOf(block.tagName) !== -1;
      if (block.tagName === "PRE") {
        block.textContent.split("\n").forEach(function (line) {
          if (line.trim()) {
            found.push({text: line.trim(), prose: false});
          }
        });
        return;
      }
      var text = block.textContent.replace(/\s+/g, " ").trim();
      (text.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)/g) || []).forEach(function (sentence) {
        if (sentence.trim()) {
          found.push({text: sentence.trim(), prose: prose});
        }
      });
    });
    return found;
  }

  // The sentence that says most about the search: the first with the most searched words in
  // it (else with a word of the same stem: "quarantined" for "quarantine"), prose first.
  function best(candidates, words, stems) {
    var stemmed = matcher(stems.concat(words));
    var chosen = null;
    var chosenScore = 0;
    candidates.forEach(function (sentence) {
      var lower = sentence.text.toLowerCase();
      var score = 0;
      words.forEach(function (word) {
        if (lower.indexOf(word) !== -1) {
          score += 4;
        }
      });
      if (!score && stemmed) {
        stemmed.lastIndex = 0;
        score = stemmed.test(sentence.text) ? 2 : 0;
      }
      score += score && sentence.prose ? 1 : 0;
      if (score > chosenScore) {
        chosen = sentence.text;
        chosenScore = score;
      }
    });
    return chosen;
  }

  // The snippet, as a paragraph with each matched word in <mark>.
  function snippet(sentence, words, stems) {
    var pattern = matcher(stems.concat(words));
    var text = sentence;
    if (text.length > LONGEST && pattern) {
      pattern.lastIndex = 0;
      var first = pattern.exec(text);
      var start = Math.max(0, (first ? first.index : 0) - 100);
      text = (start > 0 ? "… " : "") + text.slice(start, start + LONGEST).trim() + (start + LONGEST < text.length ? " …" : "");
    }
    var paragraph = element("p", "govuk-body-s app-search-result__snippet");
    var last = 0;
    if (pattern) {
      pattern.lastIndex = 0;
      var match;
      while ((match = pattern.exec(text)) !== null) {
        var at = match.index + match[0].length - match[1].length;
        paragraph.appendChild(document.createTextNode(text.slice(last, at)));
        paragraph.appendChild(element("mark", "app-search-result__match", match[1]));
        last = at + match[1].length;
      }
    }
    paragraph.appendChild(document.createTextNode(text.slice(last)));
    return paragraph;
  }

  // The sentence to show: for a glossary entry the result points at, its term and the first
  // sentence of its definition; else the best sentence of the part it points at, or of the page.
  function sentenceOf(html, anchor, words, stems) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var article = page.querySelector("main article") || page.querySelector("main") || page.body;
    var target = anchor ? page.getElementById(decodeURIComponent(anchor.slice(1))) : null;
    if (target && target.tagName === "DT" && target.nextElementSibling) {
      var definition = sentences(target.nextElementSibling)[0];
      var term = target.textContent.replace(/\s+/g, " ").trim();
      return definition ? term + ": " + definition.text : term;
    }
    if (target) {
      var inPart = best(sentences(target), words, stems);
      if (inPart) {
        return inPart;
      }
    }
    return best(sentences(article), words, stems);
  }

  // One result per page: the best-scoring of its matches. Results: [docname, title, anchor, descr, score, file].
  function perPage(results) {
    var pages = new Map();
    results.forEach(function (result) {
      var kept = pages.get(result[0]);
      if (!kept || result[4] > kept[4]) {
        pages.set(result[0], result);
      }
    });
    var titles = Search._index.titles;
    var docnames = Search._index.docnames;
    return Array.from(pages.values())
      .map(function (result) {
        var title = titles[docnames.indexOf(result[0])] || result[1];
        return {docname: result[0], title: title, anchor: result[2], score: result[4]};
      })
      .sort(function (a, b) {
        return b.score - a.score || a.title.localeCompare(b.title);
      });
  }

  function noResults(out) {
    out.appendChild(element("p", "govuk-body", "There are no matching results."));
    out.appendChild(element("p", "govuk-body", "Improve your search results by:"));
    var tips = element("ul", "govuk-list govuk-list--bullet");
    ["double-checking your spelling", "using fewer keywords", "searching for something less specific"].forEach(
      function (tip) {
        tips.appendChild(element("li", "", tip));
      }
    );
    out.appendChild(tips);
  }

  function show(query, pages, words, stems) {
    var status = document.getElementById("search-status");
    var out = document.getElementById("search-results");
    out.textContent = "";
    status.textContent = pages.length + (pages.length === 1 ? " result" : " results") + " for “" + query + "”";
    if (!pages.length) {
      noResults(out);
      return;
    }
    var list = element("ul", "govuk-list app-search-results");
    var options = DOCUMENTATION_OPTIONS;
    var root = document.documentElement.dataset.content_root || "";
    pages.forEach(function (found) {
      var item = element("li", "app-search-result");
      var heading = element("h2", "govuk-heading-s app-search-result__title");
      var link = element("a", "govuk-link", found.title);
      link.href = found.docname + options.LINK_SUFFIX + found.anchor;
      heading.appendChild(link);
      item.appendChild(heading);
      list.appendChild(item);
      fetch(root + found.docname + options.FILE_SUFFIX)
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          var sentence = html ? sentenceOf(html, found.anchor, words, stems) : null;
          if (sentence) {
            item.appendChild(snippet(sentence, words, stems));
          }
          item.setAttribute("data-snippet", sentence ? "shown" : "none");
        })
        .catch(function () {
          item.setAttribute("data-snippet", "none");
        });
    });
    out.appendChild(list);
  }

  Search.performSearch = function (query) {
    document.getElementById("search-status").textContent = "Searching…";
    if (Search.hasIndex()) {
      Search.query(query);
    } else {
      Search.deferQuery(query);
    }
  };

  Search.query = function (query) {
    var parsed = Search._parseQuery(query);
    var found = Search._performSearch.apply(null, parsed);
    var stems = Array.from(parsed[1]);
    var words = Array.from(parsed[3]);
    show(query.trim(), perPage(found), words, stems);
  };
})();
