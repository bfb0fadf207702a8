// sipbc report --phones: filter the phone tables by text (rows are hidden, never removed). The rows
// come in blocks the browser lays out only when visible; a block's placeholder height follows the
// rows it still shows, so a narrow filter leaves no long blank stretches.
(() => {
  const input = document.getElementById('phone-filter');
  const count = document.getElementById('phone-filter-count');
  const blocks = document.querySelectorAll('#phone-table .chunk');
  const total = document.querySelectorAll('#phone-table tbody tr').length;
  let timer = 0;
  function apply() {
    const q = input.value.trim().toLowerCase();
    let shown = 0;
    for (let b = 0; b < blocks.length; b++) {
      const rows = blocks[b].querySelectorAll('tbody tr');
      let here = 0;
      for (let i = 0; i < rows.length; i++) {
        const hit = q === '' || rows[i].textContent.toLowerCase().indexOf(q) !== -1;
        rows[i].hidden = !hit;
        if (hit) here++;
      }
      blocks[b].hidden = here === 0;
      blocks[b].style.containIntrinsicSize = 'auto ' + (here * 36 + 80) + 'px';
      shown += here;
    }
    count.textContent = q === '' ? '' : shown + ' of ' + total + ' rows';
  }
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
})();
