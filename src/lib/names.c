/* People's names as the board's records write them, in Bengali or in Latin letters,
 * brought to one phonetic key, so that মোঃ আব্দুল করিম, Md. Abdul Karim and
 * Mohammad Abdul Kareem compare equal while Rahim and Rahima do not. The words a
 * language uses around names (titles, equivalent spellings, "s/o", run-together
 * initials) come from the configuration; the letters' sounds are fixed here.
 *
 * A name is cut where a descriptor starts (s/o, পিতা), split into words, each word
 * written in Latin letters (Bengali by the table below) and reduced to a key:
 * aspirates lose their h (kh k, bh b, sh s), letters that sound alike merge (z j,
 * v b, q k, ph f; ছ is s, as in মোছাঃ and ইয়াছমিন), doubled letters are one, a vowel between consonants that
 * is a, o or u (Bengali's inherent vowel, written either way) is dropped, an i or
 * y one is kept as I, an e one is E (which may stand for a, i or nothing: Ahmed
 * and Ahmad, Hossen and Hossain), and a word's first and last vowels are kept by
 * their class (A, I, U). Two names are the same when their words pair off in
 * order (titles may go unpaired, an initial pairs with a word it begins), or
 * their letters run together agree (Jahan Ara, Jahanara), or the same words come
 * in another order. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wgo.h"

#define TOKMAX 48  /* bytes of one word's key */
#define MAXTOK 16  /* words of one name that count */

/* A byte in lower case, as strncasecmp compares it (ASCII only). */
static int
fold(char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : (unsigned char)c;
}

/* ---- Latin letters to a key ---- */

static int
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'Y' || c == 'W';
}

/* The class of a vowel run inside a word: I (an i, y or ee), E (an e), or none. */
static char
inner_class(const char *v, size_t n)
{
	int e = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == 'i')
			return 'I';
		if (v[i] == 'e') {
			if (i + 1 < n && v[i + 1] == 'e')
				return 'I';
			e = 1;
		}
	}
	return e ? 'E' : 0;
}

static int
vowel_class_mark(char c)
{
	return c == 'A' || c == 'I' || c == 'U' || c == 'E';
}

void
name_latin_key(const char *s, size_t n, struct buf *out)
{
	size_t start = out->n;
	/* Letters to sounds: consonants as one letter each, vowels a e i o u, and the
	 * glides y and w as Y and W (they are vowels only where nothing else is). */
	char t[256];
	size_t m = 0;
	for (size_t i = 0; i < n && m < sizeof t - 3;) {
		char c = s[i], d = i + 1 < n ? s[i + 1] : 0, d2 = i + 2 < n ? s[i + 2] : 0;
		if (c < 'a' || c > 'z') {
			i++;
			continue;
		}
		if (c == 'c' && d == 'h') {
			t[m++] = 'c';
			i += d2 == 'h' ? 3 : 2;
			continue;
		}
		if (d == 'h' && strchr("kgtdpbjzsr", c)) {
			static const char from[] = "kgtdpbjzsr", to[] = "kgtdfbjjsr";
			t[m++] = to[strchr(from, c) - from];
			i += 2;
			continue;
		}
		if ((c == 'c' && d == 'k') || (c == 'q' && d == 'u')) {
			t[m++] = 'k';
			i += 2;
			continue;
		}
		switch (c) {
		case 'q': t[m++] = 'k'; break;
		case 'z': t[m++] = 'j'; break;
		case 'v': t[m++] = 'b'; break;
		case 'c': t[m++] = n == 1 ? 'c' : 'k'; break; /* C. is Chandra; Costa is k */
		case 'x': t[m++] = 'k'; t[m++] = 's'; break;
		case 'y': t[m] = m == 0 ? 'i' : 'Y'; m++; break; /* Yasmin is ইয়াসমিন */
		case 'w': t[m++] = 'W'; break;
		default: t[m++] = c;
		}
		i++;
	}
	/* A final h after a vowel is not heard (Shah, Miah, Abdullah). */
	if (m >= 2 && t[m - 1] == 'h' && is_vowel(t[m - 2]))
		m--;
	/* Doubled consonants are one. */
	size_t k = 0;
	for (size_t i = 0; i < m; i++)
		if (!(k > 0 && t[k - 1] == t[i] && !is_vowel(t[i])))
			t[k++] = t[i];
	m = k;

	for (size_t i = 0; i < m;) {
		if (!is_vowel(t[i])) {
			buf_addc(out, t[i++]);
			continue;
		}
		size_t j = i;
		while (j < m && is_vowel(t[j]))
			j++;
		/* The run's vowels; a glide beside a vowel is only a glide. */
		char v[64];
		size_t nv = 0, real = 0;
		for (size_t x = i; x < j; x++)
			real += t[x] != 'Y' && t[x] != 'W';
		for (size_t x = i; x < j && nv < sizeof v; x++) {
			if (t[x] == 'Y' || t[x] == 'W') {
				if (!real)
					v[nv++] = t[x] == 'Y' ? 'i' : 'u';
				continue;
			}
			v[nv++] = t[x];
		}
		int initial = i == 0, final = j == m;
		if (initial) {
			char c = inner_class(v, nv);
			buf_addc(out, c ? c : 'A');
		} else if (final) {
			char last = v[nv - 1];
			if (last == 'e') {
				if (nv == 1)
					; /* a final e after a consonant is silent (Jasmine) */
				else if (v[nv - 2] == 'e' || v[nv - 2] == 'i')
					buf_addc(out, 'I');
				else if (inner_class(v, nv))
					buf_addc(out, inner_class(v, nv));
			} else {
				char c = inner_class(v, nv - 1);
				if (c)
					buf_addc(out, c);
				buf_addc(out, last == 'i' ? 'I' : last == 'u' ? 'U' : 'A');
			}
		} else {
			char c = inner_class(v, nv);
			if (c)
				buf_addc(out, c);
		}
		i = j;
	}
	/* A consonant doubled across a dropped vowel is one too (মোশাররফ, Mosharraf). */
	for (size_t i = start + 1; i < out->n;)
		if (out->p[i] == out->p[i - 1] && !vowel_class_mark(out->p[i]))
			memmove(out->p + i, out->p + i + 1, --out->n - i);
		else
			i++;
	buf_str(out);
}

/* ---- Bengali letters in Latin ---- */

/* Consonants U+0995..U+09B9 (and a few after), with their Latin letters. */
static const char *
bn_consonant(uint32_t cp)
{
	switch (cp) {
	case 0x0995: return "k";   case 0x0996: return "kh";  case 0x0997: return "g";
	case 0x0998: return "gh";  case 0x0999: return "ng";  case 0x099A: return "ch";
	case 0x099B: return "s";   case 0x099C: return "j";   case 0x099D: return "jh";
	case 0x099E: return "n";   case 0x099F: return "t";   case 0x09A0: return "th";
	case 0x09A1: return "d";   case 0x09A2: return "dh";  case 0x09A3: return "n";
	case 0x09A4: return "t";   case 0x09A5: return "th";  case 0x09A6: return "d";
	case 0x09A7: return "dh";  case 0x09A8: return "n";   case 0x09AA: return "p";
	case 0x09AB: return "f";   case 0x09AC: return "b";   case 0x09AD: return "bh";
	case 0x09AE: return "m";   case 0x09AF: return "j";   case 0x09B0: return "r";
	case 0x09B2: return "l";   case 0x09B6: return "sh";  case 0x09B7: return "sh";
	case 0x09B8: return "s";   case 0x09B9: return "h";   case 0x09DC: return "r";
	case 0x09DD: return "rh";  case 0x09DF: return "y";   case 0x09CE: return "t";
	}
	return NULL;
}

static const char *
bn_vowel(uint32_t cp)
{
	switch (cp) {
	case 0x0985: return "a";  case 0x0986: return "a";  case 0x0987: return "i";
	case 0x0988: return "i";  case 0x0989: return "u";  case 0x098A: return "u";
	case 0x098B: return "ri"; case 0x098F: return "e";  case 0x0990: return "oi";
	case 0x0993: return "o";  case 0x0994: return "ou";
	}
	return NULL;
}

static const char *
bn_sign(uint32_t cp)
{
	switch (cp) {
	case 0x09BE: return "a";  case 0x09BF: return "i";  case 0x09C0: return "i";
	case 0x09C1: return "u";  case 0x09C2: return "u";  case 0x09C3: return "ri";
	case 0x09C7: return "e";  case 0x09C8: return "oi"; case 0x09CB: return "o";
	case 0x09CC: return "ou"; case 0x09D7: return "u";
	}
	return NULL;
}

#define VIRAMA 0x09CD
#define NUKTA 0x09BC

/* One word of code points in Latin letters. A consonant carries its inherent
 * vowel unless a sign or a virama follows; at the end of a word the inherent vowel
 * is silent, but after a conjunct it is heard (চন্দ্র, Chandra). */
static void
bn_word(const uint32_t *w, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t c = w[i];
		if (c == NUKTA || c == 0x0981 || c == 0x200C || c == 0x200D)
			continue; /* nukta handled below; candrabindu and joiners are not letters */
		const char *v = bn_vowel(c);
		if (v) {
			buf_adds(out, v);
			continue;
		}
		if (c == 0x0982) {
			buf_adds(out, "ng");
			continue;
		}
		const char *s = bn_sign(c);
		if (s) {
			/* ে then া, or ে then ৗ: the two halves of ো and ৌ. */
			if (c == 0x09C7 && i + 1 < n && (w[i + 1] == 0x09BE || w[i + 1] == 0x09D7)) {
				buf_adds(out, w[i + 1] == 0x09BE ? "o" : "ou");
				i++;
				continue;
			}
			buf_adds(out, s);
			continue;
		}
		const char *k = bn_consonant(c);
		if (!k)
			continue;
		if (i + 1 < n && w[i + 1] == NUKTA)
			k = c == 0x09A1 ? "r" : c == 0x09A2 ? "rh" : c == 0x09AF ? "y" : k;
		int after_virama = i > 0 && w[i - 1] == VIRAMA;
		if (after_virama && c == 0x09AF && i >= 2 && w[i - 2] != 0x09B0)
			k = "y"; /* ya-phala, but র্য is rj */
		else if (after_virama && c == 0x09AC && i >= 2 && w[i - 2] != 0x09AE && w[i - 2] != 0x09B0)
			k = "w"; /* ba-phala, but ম্ব is mb and র্ব rb */
		buf_adds(out, k);
		if (c == 0x09CE)
			continue; /* khanda ta has no vowel */
		size_t j = i + 1;
		while (j < n && (w[j] == NUKTA || w[j] == 0x0981))
			j++;
		if (j < n && (bn_sign(w[j]) || w[j] == VIRAMA)) {
			if (w[j] == VIRAMA)
				i = j; /* the conjunct's next consonant follows */
			else
				i = j - 1;
			continue;
		}
		if (j >= n) {
			if (after_virama)
				buf_addc(out, 'a');
			i = j - 1;
			continue;
		}
		buf_addc(out, 'a');
		i = j - 1;
	}
}

void
name_translit(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	uint32_t w[256];
	size_t nw = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int k = utf8_decode(p + i, n - i, &cp);
		if (!k) {
			i++;
			continue;
		}
		i += (size_t)k;
		if (cp >= 0x0980 && cp <= 0x09FF) {
			if (nw < sizeof w / sizeof w[0])
				w[nw++] = cp;
			continue;
		}
		if (nw) {
			bn_word(w, nw, out);
			nw = 0;
		}
		if (cp < 0x80)
			buf_addc(out, (char)fold((char)cp));
	}
	if (nw)
		bn_word(w, nw, out);
	buf_str(out);
}

/* ---- tokens ---- */

enum { TK_TITLE = 1, TK_INITIAL = 2 };
struct tok {
	char key[TOKMAX];
	int flags;
};
struct pname {
	struct tok t[MAXTOK];
	int n;
	char joined[128];
};

/* Latin letters with accents (Latin-1 and Latin Extended-A) as plain ones. */
static char
latin_base(uint32_t cp)
{
	static const char l1[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts" "aaaaaaaceeeeiiiidnooooo ouuuuyty";
	if (cp >= 0xC0 && cp <= 0xFF) {
		char c = l1[cp - 0xC0];
		return c == ' ' ? 0 : c;
	}
	if (cp >= 0x100 && cp <= 0x17F) {
		static const char ext[] = "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
		                          "iiiiiiiiii" "ii" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "oo"
		                          "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
		size_t i = cp - 0x100;
		return i < sizeof ext - 1 ? ext[i] : 0;
	}
	return 0;
}

static int
is_bn_letter(uint32_t cp)
{
	return cp >= 0x0980 && cp <= 0x09FF && !(cp >= 0x09E6 && cp <= 0x09EF) && cp != 0x0983 &&
	       cp != 0x0964 && cp != 0x0965;
}

static int
is_letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || is_bn_letter(cp) ||
	       latin_base(cp) || cp == 0x200C || cp == 0x200D;
}

/* The English alphabet's letters as Bengali writes their names: a word that is one
 * of them is an initial (এ. কে. এম., এম এ করিম); none is a name of its own. */
static const char *const bn_letter_names[26] = {
	"এ", "বি", "সি", "ডি", "ই", "এফ", "জি", "এইচ", "আই", "জে", "কে", "এল", "এম",
	"এন", "ও", "পি", "কিউ", "আর", "এস", "টি", "ইউ", "ভি", "ডব্লিউ", "এক্স", "ওয়াই", "জেড",
};

/* The code point before byte i of s, or 0. */
static uint32_t
cp_before(const char *s, size_t i)
{
	uint32_t cp = 0;
	size_t b = i;
	if (!i)
		return 0;
	do
		b--;
	while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80);
	utf8_decode((const unsigned char *)s + b, i - b, &cp);
	return cp;
}

static uint32_t
cp_at(const char *s, size_t n)
{
	uint32_t cp = 0;
	utf8_decode((const unsigned char *)s, n, &cp);
	return cp;
}

/* Where the name ends: the first cut phrase that stands apart from the letters
 * around it (a phrase that starts or ends with a mark, like "(", needs no gap). */
static size_t
cut_at(const struct name_rules *r, const char *s)
{
	size_t n = strlen(s), end = n;
	for (size_t c = 0; c < r->ncut; c++) {
		const char *p = r->cut[c];
		size_t pl = strlen(p);
		int lead = is_letter(cp_at(p, pl)), tail = is_letter(cp_before(p, pl));
		/* Its first and last bytes first: a Bengali phrase's first byte is every
		 * Bengali letter's. */
		int first = fold(p[0]), last = fold(p[pl - 1]);
		for (size_t i = 0; i + pl <= end; i++) {
			if (fold(s[i]) != first || fold(s[i + pl - 1]) != last || strncasecmp(s + i, p, pl))
				continue;
			if (lead && is_letter(cp_before(s, i)))
				continue;
			if (tail && i + pl < n && is_letter(cp_at(s + i + pl, n - i - pl)))
				continue;
			end = i;
			break;
		}
	}
	return end;
}

static void
add_tok(struct pname *pn, const char *key, int flags)
{
	if (pn->n >= MAXTOK || !*key)
		return;
	size_t n = strnlen(key, TOKMAX - 1);
	memcpy(pn->t[pn->n].key, key, n);
	pn->t[pn->n].key[n] = '\0';
	pn->t[pn->n].flags = flags;
	pn->n++;
}

/* One word of the name, its letters in Latin (lower case) and as written. */
static void
word(const struct name_rules *r, struct pname *pn, struct buf *joined, const char *latin,
     const char *orig, int bengali)
{
	struct buf k = { 0 };
	size_t n = strlen(latin);
	if (!n)
		return;
	if (r && hmap_get(&r->initials, latin)) {
		for (size_t i = 0; i < n; i++) {
			k.n = 0;
			name_latin_key(latin + i, 1, &k);
			add_tok(pn, buf_str(&k), TK_INITIAL);
			buf_addc(joined, latin[i]);
		}
		buf_free(&k);
		return;
	}
	int initial = n == 1 && !bengali;
	if (bengali)
		for (int l = 0; l < 26; l++)
			if (!strcmp(orig, bn_letter_names[l])) {
				char c = (char)('a' + l);
				name_latin_key(&c, 1, &k);
				add_tok(pn, buf_str(&k), TK_INITIAL);
				buf_addc(joined, c);
				buf_free(&k);
				return;
			}
	name_latin_key(latin, n, &k);
	const char *key = buf_str(&k);
	int flags = initial ? TK_INITIAL : 0;
	if (!initial && r && hmap_get(&r->title, key)) {
		flags = TK_TITLE;
	} else {
		const char *canon = r ? hmap_get(&r->equiv, key) : NULL;
		if (canon && !initial)
			key = canon;
		buf_adds(joined, latin);
	}
	add_tok(pn, key, flags);
	buf_free(&k);
}

static void
parse_name(const struct name_rules *r, const char *name, struct pname *pn)
{
	memset(pn, 0, sizeof *pn);
	size_t end = r ? cut_at(r, name) : strlen(name);
	const unsigned char *p = (const unsigned char *)name;
	struct buf orig = { 0 }, latin = { 0 }, joined = { 0 };
	int bengali = 0;
	for (size_t i = 0; i <= end;) {
		uint32_t cp = 0;
		int k = i < end ? utf8_decode(p + i, end - i, &cp) : 0;
		if (i < end && !k) {
			i++;
			continue;
		}
		if (i < end && is_letter(cp)) {
			if (cp >= 0x0980)
				bengali |= cp <= 0x09FF;
			buf_add(&orig, p + i, (size_t)k);
			i += (size_t)k;
			continue;
		}
		/* The end of a word. */
		if (orig.n) {
			latin.n = 0;
			if (bengali) {
				name_translit(buf_str(&orig), &latin);
			} else {
				const unsigned char *q = (const unsigned char *)buf_str(&orig);
				for (size_t x = 0; x < orig.n;) {
					uint32_t c;
					int kk = utf8_decode(q + x, orig.n - x, &c);
					if (!kk)
						break;
					x += (size_t)kk;
					char b = c < 0x80 ? (char)fold((char)c) : latin_base(c);
					if (b >= 'a' && b <= 'z')
						buf_addc(&latin, b);
				}
			}
			word(r, pn, &joined, buf_str(&latin), buf_str(&orig), bengali);
			orig.n = 0;
			bengali = 0;
		}
		if (i >= end)
			break;
		i += (size_t)k;
	}
	struct buf jk = { 0 };
	name_latin_key(joined.p ? joined.p : "", joined.n, &jk);
	snprintf(pn->joined, sizeof pn->joined, "%s", buf_str(&jk));
	buf_free(&jk);
	buf_free(&orig);
	buf_free(&latin);
	buf_free(&joined);
}

int
name_key(const struct name_rules *r, const char *name, struct buf *out)
{
	struct pname pn;
	int counted = 0;
	parse_name(r, name, &pn);
	for (int i = 0; i < pn.n; i++) {
		if (i)
			buf_addc(out, ' ');
		if (pn.t[i].flags & TK_TITLE)
			buf_addc(out, '~');
		else
			counted++;
		buf_adds(out, pn.t[i].key);
		if (pn.t[i].flags & TK_INITIAL)
			buf_addc(out, '.');
	}
	buf_addc(out, '|');
	buf_adds(out, pn.joined);
	buf_str(out);
	return counted;
}

static void
parse_key(const char *k, struct pname *pn)
{
	memset(pn, 0, sizeof *pn);
	const char *bar = strchr(k, '|');
	const char *end = bar ? bar : k + strlen(k);
	while (k < end && pn->n < MAXTOK) {
		while (k < end && *k == ' ')
			k++;
		if (k >= end)
			break;
		const char *sp = k;
		while (sp < end && *sp != ' ')
			sp++;
		struct tok *t = &pn->t[pn->n];
		const char *a = k, *b = sp;
		t->flags = 0;
		if (*a == '~') {
			t->flags |= TK_TITLE;
			a++;
		}
		if (b > a && b[-1] == '.') {
			t->flags |= TK_INITIAL;
			b--;
		}
		size_t l = (size_t)(b - a) < TOKMAX - 1 ? (size_t)(b - a) : TOKMAX - 1;
		memcpy(t->key, a, l);
		t->key[l] = 0;
		if (l)
			pn->n++;
		k = sp;
	}
	if (bar)
		snprintf(pn->joined, sizeof pn->joined, "%s", bar + 1);
}

/* ---- comparing keys ---- */

/* Two words' keys agree: the same letters, where an E may stand for any vowel
 * mark or for none. */
static int
key_agrees(const char *x, const char *y)
{
	size_t n = strlen(x), m = strlen(y);
	if (n > TOKMAX * 3 || m > TOKMAX * 3)
		return !strcmp(x, y);
	/* ok[i][j]: x[i..] and y[j..] agree. */
	unsigned char ok[TOKMAX * 3 + 1][TOKMAX * 3 + 1];
	for (size_t i = n + 1; i-- > 0;)
		for (size_t j = m + 1; j-- > 0;) {
			int v;
			if (i == n && j == m)
				v = 1;
			else if (i < n && x[i] == 'E' && ok[i + 1][j])
				v = 1;
			else if (j < m && y[j] == 'E' && ok[i][j + 1])
				v = 1;
			else if (i < n && j < m &&
			         (x[i] == y[j] || ((x[i] == 'E' || y[j] == 'E') && vowel_class_mark(x[i]) &&
			                           vowel_class_mark(y[j]))))
				v = ok[i + 1][j + 1];
			else
				v = 0;
			ok[i][j] = (unsigned char)v;
		}
	return ok[0][0];
}

/* The first sound of a word agrees with an initial. */
static int
initial_agrees(const struct tok *init, const struct tok *word)
{
	char a = init->key[0], b = word->key[0];
	return a == b || (vowel_class_mark(a) && vowel_class_mark(b) && (a == 'E' || b == 'E'));
}

/* Words paired in order: every word that is not a title is paired, at least one
 * pair is of two whole words. Returns NAME_SAME, NAME_INITIALS or NAME_NO. */
static int
in_order(const struct pname *a, const struct pname *b)
{
	/* best[i][j]: whole-word pairs (+1 each) less initial pairs, or -1000 unreachable. */
	int best[MAXTOK + 1][MAXTOK + 1], inits[MAXTOK + 1][MAXTOK + 1];
	for (int i = 0; i <= a->n; i++)
		for (int j = 0; j <= b->n; j++)
			best[i][j] = -1000, inits[i][j] = 0;
	best[0][0] = 0;
	for (int i = 0; i <= a->n; i++)
		for (int j = 0; j <= b->n; j++) {
			int v = best[i][j];
			if (v < 0)
				continue;
#define RELAX(ii, jj, add, ini) do { \
	if (v + (add) > best[ii][jj] || (v + (add) == best[ii][jj] && inits[i][j] + (ini) < inits[ii][jj])) { \
		best[ii][jj] = v + (add); \
		inits[ii][jj] = inits[i][j] + (ini); \
	} \
} while (0)
			if (i < a->n && (a->t[i].flags & TK_TITLE))
				RELAX(i + 1, j, 0, 0);
			if (j < b->n && (b->t[j].flags & TK_TITLE))
				RELAX(i, j + 1, 0, 0);
			if (i < a->n && j < b->n) {
				const struct tok *x = &a->t[i], *y = &b->t[j];
				int xi = x->flags & TK_INITIAL, yi = y->flags & TK_INITIAL;
				int xt = x->flags & TK_TITLE, yt = y->flags & TK_TITLE;
				if (!xi && !yi) {
					if (key_agrees(x->key, y->key))
						RELAX(i + 1, j + 1, (xt || yt) ? 0 : 1, 0);
				} else if (xi && yi) {
					if (!strcmp(x->key, y->key))
						RELAX(i + 1, j + 1, 0, 1);
				} else if (xi ? initial_agrees(x, y) : initial_agrees(y, x)) {
					RELAX(i + 1, j + 1, 0, 1);
				}
			}
#undef RELAX
		}
	int v = best[a->n][b->n];
	if (v < 1)
		return NAME_NO;
	return inits[a->n][b->n] ? NAME_INITIALS : NAME_SAME;
}

/* The same whole words in another order (no initials). */
static int
pair_off(const struct pname *a, const struct pname *b, int i, unsigned used)
{
	while (i < a->n && (a->t[i].flags & TK_TITLE))
		i++;
	if (i == a->n)
		return 1;
	for (int j = 0; j < b->n; j++) {
		if ((used & (1u << j)) || (b->t[j].flags & TK_TITLE))
			continue;
		if (key_agrees(a->t[i].key, b->t[j].key) && pair_off(a, b, i + 1, used | (1u << j)))
			return 1;
	}
	return 0;
}

static int
counted(const struct pname *p, int *initials)
{
	int n = 0;
	*initials = 0;
	for (int i = 0; i < p->n; i++) {
		n += !(p->t[i].flags & TK_TITLE);
		*initials |= !!(p->t[i].flags & TK_INITIAL);
	}
	return n;
}

int
name_key_match(const char *ka, const char *kb)
{
	struct pname a, b;
	parse_key(ka, &a);
	parse_key(kb, &b);
	int ia, ib;
	int na = counted(&a, &ia), nb = counted(&b, &ib);
	if (!na || !nb)
		return NAME_NO;
	int how = in_order(&a, &b);
	if (how)
		return how;
	/* Letters run together, for words split or joined differently (Jahan Ara and
	 * Jahanara): only then, since running words together loses their last vowels. */
	if (!ia && !ib && na != nb && strlen(a.joined) >= 3 && key_agrees(a.joined, b.joined))
		return NAME_JOINED;
	if (!ia && !ib && na == nb && pair_off(&a, &b, 0, 0))
		return NAME_REORDERED;
	return NAME_NO;
}

static uint64_t
skeleton_hash(const char *k)
{
	uint64_t h = 1469598103934665603ull;
	for (; *k; k++)
		if (!vowel_class_mark(*k)) {
			h ^= (unsigned char)*k;
			h *= 1099511628211ull;
		}
	return h ^ (h >> 31);
}

static uint64_t
joined_block(const struct pname *p)
{
	return skeleton_hash(p->joined) ^ 0x5bd1e995;
}

uint64_t
name_key_joined_block(const char *key)
{
	struct pname p;
	parse_key(key, &p);
	return joined_block(&p);
}

size_t
name_key_blocks(const char *key, uint64_t *out, size_t max)
{
	struct pname p;
	size_t n = 0;
	parse_key(key, &p);
	/* A match pairs two whole words, whose consonants are the same (E and the
	 * vowel marks aside), or runs the letters together: one of these agrees. */
	for (int i = 0; i <= p.n && n < max; i++) {
		if (i < p.n && (p.t[i].flags & (TK_TITLE | TK_INITIAL)))
			continue;
		uint64_t h = i < p.n ? skeleton_hash(p.t[i].key) : joined_block(&p);
		size_t k;
		for (k = 0; k < n && out[k] != h; k++)
			;
		if (k == n)
			out[n++] = h;
	}
	return n;
}


int
name_match(const struct name_rules *r, const char *a, const char *b)
{
	struct buf x = { 0 }, y = { 0 };
	name_key(r, a, &x);
	name_key(r, b, &y);
	int how = name_key_match(buf_str(&x), buf_str(&y));
	buf_free(&x);
	buf_free(&y);
	return how;
}

const char *
name_match_how(int how)
{
	static const char *const n[] = { "no", "same", "joined", "reordered", "initials" };
	return how >= 0 && how <= NAME_INITIALS ? n[how] : "?";
}

int
person_match(const struct person *a, const struct person *b)
{
	int how = NAME_NO;
	for (int i = 0; i < 2 && !how; i++)
		for (int j = 0; j < 2 && !how; j++)
			if (a->key[i] && b->key[j])
				how = name_key_match(a->key[i], b->key[j]);
	if (!how)
		return 0;
	if (a->has_birth && b->has_birth)
		return a->birth == b->birth ? PERSON_BIRTH : 0;
	if (a->emp && b->emp && *a->emp && !strcmp(a->emp, b->emp))
		return PERSON_EMPLOYEE;
	return 0;
}

/* ---- the rules from the configuration ---- */

/* The key of one configured word, as a name's word would have it. */
static int
config_word(const char *w, struct buf *key)
{
	struct pname pn;
	parse_name(NULL, w, &pn);
	key->n = 0;
	if (pn.n != 1)
		return -1;
	buf_adds(key, pn.t[0].key);
	return 0;
}

int
name_rules_load(struct name_rules *r, const struct cfg *c, struct werr *e)
{
	memset(r, 0, sizeof *r);
	hmap_init(&r->title, 1);
	hmap_init(&r->equiv, TOKMAX);
	hmap_init(&r->initials, 1);
	struct buf key = { 0 };
	char where[300];
	static const char *const keys[] = { "name.title", "name.equiv", "name.initials", "name.cut" };
	for (int k = 0; k < 4; k++)
		for (const struct cfg_item *it = cfg_next(c, keys[k], NULL); it;
		     it = cfg_next(c, keys[k], it)) {
			snprintf(where, sizeof where, "%s:%lu", c->path ? c->path : "wgo.conf", it->line);
			if (k == 3) {
				if (!*it->val) {
					buf_free(&key);
					name_rules_free(r);
					return werr_set(e, where, "name.cut: empty");
				}
				r->cut = xrealloc(r->cut, (r->ncut + 1) * sizeof *r->cut);
				r->cut[r->ncut++] = xstrdup(it->val);
				continue;
			}
			char *list = xstrdup(it->val), *save = NULL;
			char canon[TOKMAX] = "";
			for (char *w = strtok_r(list, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
				if (k == 2) {
					struct buf lw = { 0 };
					for (const char *p = w; *p; p++)
						buf_addc(&lw, (char)fold(*p));
					hmap_put(&r->initials, buf_str(&lw), NULL);
					buf_free(&lw);
					continue;
				}
				if (config_word(w, &key) < 0) {
					werr_set(e, where, "%s: \"%s\" is not one word", keys[k], w);
					free(list);
					buf_free(&key);
					name_rules_free(r);
					return -1;
				}
				if (k == 0) {
					hmap_put(&r->title, buf_str(&key), NULL);
				} else if (!canon[0]) {
					snprintf(canon, sizeof canon, "%s", buf_str(&key));
				} else if (strcmp(canon, buf_str(&key))) {
					char *v = hmap_put(&r->equiv, buf_str(&key), NULL);
					snprintf(v, TOKMAX, "%s", canon);
				}
			}
			free(list);
		}
	buf_free(&key);
	return 0;
}

void
name_rules_free(struct name_rules *r)
{
	hmap_free(&r->title);
	hmap_free(&r->equiv);
	hmap_free(&r->initials);
	for (size_t i = 0; i < r->ncut; i++)
		free(r->cut[i]);
	free(r->cut);
	memset(r, 0, sizeof *r);
}

/* What the rules are made of, as a digest: a name's key made under one set of rules
 * is compared with keys made under another only when the digests agree (an index of
 * name keys kept by wgo-export, read by wgo-track). */
void
name_rules_id(const struct cfg *c, char out[17])
{
	static const char *const keys[] = { "name.title", "name.equiv", "name.initials", "name.cut" };
	uint64_t h = 1469598103934665603ull;
	for (int k = 0; k < 4; k++)
		for (const struct cfg_item *it = c ? cfg_next(c, keys[k], NULL) : NULL; it;
		     it = cfg_next(c, keys[k], it)) {
			const char *parts[] = { keys[k], "=", it->val, "\n" };
			for (int i = 0; i < 4; i++)
				for (const char *p = parts[i]; *p; p++) {
					h ^= (unsigned char)*p;
					h *= 1099511628211ull;
				}
		}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
