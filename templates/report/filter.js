// sipbc report --phones: filter the phone tables by text (rows are hidden, never removed). The rows
// come in blocks the browser lays out only when visible; a block's placeholder height follows the
// rows it still shows, so a narrow filter leaves no long blank stretches.
(function () {
  var input = document.getElementById('phone-filter');
  var count = document.getElementById('phone-filter-count');
  var blocks = document.querySelectorAll('#phone-table .chunk');
  var total = document.querySelectorAll('#phone-table tbody tr').length;
  var timer = 0;
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    for (var b = 0; b < blocks.length; b++) {
      var rows = blocks[b].querySelectorAll('tbody tr');
      var here = 0;
      for (var i = 0; i < rows.length; i++) {
        var hit = q === '' || rows[i].textContent.toLowerCase().indexOf(q) !== -1;
        rows[i].hidden = !hit;
        if (hit) here++;
      }
      blocks[b].hidden = here === 0;
      blocks[b].style.containIntrinsicSize = 'auto ' + (here * 36 + 80) + 'px';
      shown += here;
    }
    count.textContent = q === '' ? '' : shown + ' of ' + total + ' rows';
  }
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
})();
