// A participant's tile letters, as the station letters them (app/ui/live_tiles.py initials: keep both alike):
// 'BS Nguyễn Thị Lan' -> 'NL' (titles left out), 'TTYT huyện Mèo Vạc' -> 'MV', 'Bệnh viện Đa khoa Trung ương
// Cần Thơ' -> 'CT': no letters from what every site's name has (the kind of facility, the administrative level).
const SEPARATOR = ' — ';
const TITLES = new Set(['bs', 'ts', 'ths', 'pgs', 'gs', 'đd', 'ktv', 'bsckii', 'bscki', 'dr', 'prof']);
const SITE_PHRASES = [['bệnh', 'viện'], ['trung', 'tâm', 'y', 'tế'], ['trạm', 'y', 'tế'], ['phòng', 'khám'],
  ['đa', 'khoa'], ['trung', 'ương'], ['thành', 'phố'], ['thị', 'xã']];
const SITE_WORDS = new Set(['bv', 'ttyt', 'tyt', 'pk', 'bvđk', 'đk', 'tw', 'huyện', 'tỉnh', 'quận', 'xã', 'phường',
  'tp']);

function withoutSiteWords(words) {
  const kept = [];
  for (let i = 0; i < words.length;) {
    const phrase = SITE_PHRASES.find((p) => p.every((w, k) => (words[i + k] || '').toLowerCase() === w));
    if (phrase) {
      i += phrase.length;
      continue;
    }
    if (!SITE_WORDS.has(words[i].toLowerCase())) kept.push(words[i]);
    i += 1;
  }
  return kept;
}

function wordsOf(text) {
  return text.replace(/[.()]/g, ' ').split(/\s+/).filter((w) => w && !TITLES.has(w.toLowerCase()));
}

export function initials(name) {
  const first = (word) => [...word][0]; // a letter, not half of one
  const head = String(name || '').split(SEPARATOR)[0];
  // A bracketed part is an aside, no letters: 'Máy trạm này (trung tâm cục bộ)' -> 'MN', not 'MB'.
  let words = wordsOf(head.replace(/\([^()]*\)/g, ' '));
  if (!words.length) words = wordsOf(head); // all of it in brackets: its own words
  const kept = withoutSiteWords(words);
  words = kept.length ? kept : words;
  if (!words.length) return '?';
  return (first(words[0]) + (words.length > 1 ? first(words[words.length - 1]) : '')).toUpperCase();
}
