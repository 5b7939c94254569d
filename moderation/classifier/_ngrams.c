/*
 * The compiled core of scoring (moderation/classifier/compiled.py wraps it).
 *
 * featurise: for every comment of a batch, hash its character and word n-grams (the same
 * 64-bit hashes as moderation/classifier/ngram_hashing.py), look each up in the sorted
 * vocabulary, count the distinct features, and say which word each occurrence's centre falls
 * in. One pass per comment in C replaces ~20 numpy passes over the batch (batch.py).
 *
 * The rest serve the heads (heads.py) and the normalisers: sparse products (csr_dot), word
 * sums for explanations, the off-topic head's background cosines, article overlap and
 * background scores, the English lexicon scan, word spans, and one-pass checks of which
 * regular expressions could match (text_flags, spam_flags).
 *
 * Every output is an integer, or a float computed in the same order as the numpy path
 * computes it, so the results are bit-identical with and without the core; tests compare the
 * two. Inputs are buffers (numpy arrays or bytes), checked for size, element width and index
 * bounds here (ValueError instead of reading out of bounds). The featuriser's scratch memory
 * is kept between calls and guarded by the GIL, which it holds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define P 0x100000001B3ULL /* FNV-64 prime, as ngram_hashing._P */
#define WORD_SALT 0x9E3779B97F4A7C15ULL
#define SPACE_CODE (32u + 1u) /* code points are stored +1, as ngram_hashing._codes */

static inline uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

typedef struct {
    const uint64_t *vocab; /* sorted hashes */
    Py_ssize_t n_vocab;
    const int32_t *bucket_starts; /* 2**bits + 1 entries */
    int bits;
    /* Optional (NULL: none): bit t is set when some vocabulary hash has t as its top
     * present_bits bits. A clear bit settles a lookup from a table small enough to stay in
     * cache, without touching the megabytes of the bucket table and vocabulary. */
    const uint64_t *present;
    int present_bits;
} Vocabulary;

static inline int maybe_present(const Vocabulary *v, uint64_t h) {
    uint64_t t = h >> (64 - v->present_bits);
    return (int)((v->present[t >> 6] >> (t & 63)) & 1u);
}

static inline int32_t lookup(const Vocabulary *v, uint64_t h) {
    uint64_t bucket = h >> (64 - v->bits);
    int32_t at = v->bucket_starts[bucket], end = v->bucket_starts[bucket + 1];
    while (at < end && v->vocab[at] < h) at++; /* a bucket's hashes are sorted */
    return at < end && v->vocab[at] == h ? at : -1;
}

#define AHEAD 32 /* lookups in flight */

typedef struct {
    /* per comment scratch, sized for the longest comment */
    uint64_t *occ_hash; /* every n-gram occurrence's hash, then ... */
    int32_t *occ_id; /* ... the feature id of each found one */
    int32_t *occ_local; /* rank of each found occurrence's feature among the comment's */
    int64_t *occ_centre;
    uint64_t *seen_bits; /* which feature ids the comment has (n_vocab bits, all 0 between) */
    uint64_t *summary; /* which words of seen_bits are not 0 (n_vocab / 4096 + 1 words) */
    int32_t *before; /* features of the comment before each bitmap word (n_vocab / 64 + 1) */
    int32_t *word_at; /* the word each character position's centre falls in, or -1 */
    uint64_t *rolling;
    uint64_t *word_hash;
} Scratch;

typedef struct {
    const uint32_t *text; /* raw code points of all comments end to end */
    const int64_t *starts, *lengths; /* of each comment in text */
    const int64_t *word_starts, *word_ends; /* local to each comment */
    const int64_t *word_ptr;
    int char_lo, char_hi, word_lo, word_hi, word_bounded;
} Batch;

typedef struct {
    int32_t *indptr, *ids;
    int64_t *counts, *occ_nnz, *occ_word;
    Py_ssize_t nnz, n_occ;
} Output;

/* Set bits of x, branch-free and without a library call (builds are portable: no -mpopcnt;
 * see featurise_one). */
static inline int32_t bits_set(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int32_t)((x * 0x0101010101010101ULL) >> 56);
}

/* On x86-64 with glibc, two builds of this function, chosen when the module loads: one for
 * processors with the popcnt instruction (nearly all since 2008), where the compiler turns
 * bits_set into that one instruction (about a fifth off featurising), and the portable one. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__) && !defined(__POPCNT__)
__attribute__((target_clones("popcnt", "default")))
#endif
static void featurise_one(const Batch *b, const Vocabulary *v, Scratch *s, Py_ssize_t doc,
                          Output *out) {
    const uint32_t *raw = b->text + b->starts[doc];
    int64_t length = b->lengths[doc], padded = length + 2;
    int64_t n_all = 0, n_found = 0, n_seen = 0;
#define CODE(i) ((i) == 0 || (i) == padded - 1 ? SPACE_CODE : (uint64_t)raw[(i) - 1] + 1u)
#define FOUND(h, centre)                 \
    do {                                 \
        s->occ_hash[n_all] = (h);        \
        s->occ_centre[n_all] = (centre); \
        n_all++;                         \
    } while (0)

    /* Character n-grams of " text ", size by size, position by position. Word-bounded
     * n-grams of 3+ characters keep only those without a space inside (their first and last
     * characters may be spaces): spaces[k] counts the spaces before position k, so that is
     * one comparison. (spaces lives in word_at, unused until the words are assigned below.) */
    int32_t *spaces = s->word_at;
    if (b->word_bounded) {
        spaces[0] = 0;
        for (int64_t k = 0; k < padded; k++) spaces[k + 1] = spaces[k] + (CODE(k) == SPACE_CODE);
    }
    for (int64_t i = 0; i < padded; i++) s->rolling[i] = CODE(i);
    for (int size = 1; size <= b->char_hi && size <= padded; size++) {
        int64_t count = padded - size + 1;
        if (size > 1) {
            for (int64_t i = 0; i < count; i++) s->rolling[i] = s->rolling[i] * P + CODE(i + size - 1);
        }
        if (size < b->char_lo) continue;
        int64_t shift = (size - 1) / 2 - 1;
        for (int64_t i = 0; i < count; i++) {
            if (b->word_bounded) {
                int keep = 1;
                if (size == 1) keep = CODE(i) != SPACE_CODE;
                else if (size == 2) keep = !(CODE(i) == SPACE_CODE && CODE(i + 1) == SPACE_CODE);
                else keep = spaces[i + size - 1] == spaces[i + 1];
                if (!keep) continue;
            }
            FOUND(mix(s->rolling[i] ^ (uint64_t)size), i + shift);
        }
    }
    /* Word n-grams over the words found by ngram_hashing.WORD. */
    int64_t first = b->word_ptr[doc], last = b->word_ptr[doc + 1] - 1;
    int64_t n_words = last - first + 1;
    if (n_words > 0 && b->word_hi >= 1) {
        for (int64_t j = 0; j < n_words; j++) {
            uint64_t h = 0;
            for (int64_t k = b->word_starts[first + j]; k < b->word_ends[first + j]; k++) {
                h = h * P + (uint64_t)raw[k] + 1u;
            }
            s->word_hash[j] = mix(h ^ WORD_SALT);
            s->rolling[j] = s->word_hash[j];
        }
        for (int size = 1; size <= b->word_hi && size <= n_words; size++) {
            int64_t count = n_words - size + 1;
            if (size > 1) {
                for (int64_t j = 0; j < count; j++) s->rolling[j] = s->rolling[j] * P + s->word_hash[j + size - 1];
            }
            if (size < b->word_lo) continue;
            for (int64_t j = 0; j < count; j++) {
                int64_t centre = (b->word_starts[first + j] + b->word_ends[first + j + size - 1] - 1) / 2;
                FOUND(mix(s->rolling[j] ^ ((uint64_t)size << 8)), centre);
            }
        }
    }
#undef FOUND
#undef CODE
    /* Drop the hashes the presence table rules out, when that pays: for most n-grams of a
     * text in another language than the vocabulary's. In its own language nearly every
     * n-gram is found, and the pass would only cost time; the first 64 hashes decide. */
    int64_t sample = n_all < 64 ? n_all : 64, absent = 0;
    if (v->present != NULL) {
        for (int64_t k = 0; k < sample; k++) absent += !maybe_present(v, s->occ_hash[k]);
    }
    if (absent * 2 > sample) {
        int64_t kept = 0;
        for (int64_t k = 0; k < n_all; k++) {
            if (maybe_present(v, s->occ_hash[k])) {
                s->occ_hash[kept] = s->occ_hash[k];
                s->occ_centre[kept] = s->occ_centre[k];
                kept++;
            }
        }
        n_all = kept;
    }
    /* Look every hash up. The vocabulary and its bucket table are megabytes, so nearly every
     * lookup misses the cache: prefetching the vocabulary entries a stride ahead overlaps
     * those misses instead of waiting for each in turn (the bucket table stays cached). */
    const int shift = 64 - v->bits;
    for (int64_t k = 0; k < n_all; k++) {
        /* Two stages: the bucket entry 2 strides ahead, then (by now cached) the vocabulary
         * entry it points at one stride ahead. */
        if (k + 2 * AHEAD < n_all) {
            __builtin_prefetch(&v->bucket_starts[s->occ_hash[k + 2 * AHEAD] >> shift]);
        }
        if (k + AHEAD < n_all) {
            __builtin_prefetch(&v->vocab[v->bucket_starts[s->occ_hash[k + AHEAD] >> shift]]);
        }
        int32_t id = lookup(v, s->occ_hash[k]);
        if (id >= 0) {
            s->occ_id[n_found] = id;
            s->occ_centre[n_found] = s->occ_centre[k];
            n_found++;
        }
    }
    /* The distinct features: mark each found id in a bitmap of the vocabulary (32 KB for
     * 260,000 features, so it stays in cache) and each non-empty bitmap word in a summary
     * bitmap (one bit per word), then read the ids back in ascending order, visiting only the
     * non-empty words, noting how many came before each. An occurrence's place among the
     * comment's features (its rank) is that count plus the few ids of its word below it. Both
     * bitmaps are left clean for the next comment. */
    Py_ssize_t base = out->nnz;
    if (n_found > 0) {
        int32_t low = INT32_MAX, high = -1;
        for (int64_t k = 0; k < n_found; k++) {
            int32_t id = s->occ_id[k];
            s->seen_bits[id >> 6] |= 1ULL << (id & 63);
            s->summary[id >> 12] |= 1ULL << ((id >> 6) & 63);
            if (id < low) low = id;
            if (id > high) high = id;
        }
        for (int32_t v = low >> 12; v <= high >> 12; v++) {
            for (uint64_t words = s->summary[v]; words; words &= words - 1) {
                int32_t w = v * 64 + __builtin_ctzll(words);
                s->before[w] = (int32_t)n_seen;
                for (uint64_t word = s->seen_bits[w]; word; word &= word - 1) {
                    out->ids[base + n_seen] = (int32_t)(w * 64 + __builtin_ctzll(word));
                    out->counts[base + n_seen] = 0;
                    n_seen++;
                }
            }
        }
        for (int64_t k = 0; k < n_found; k++) {
            int32_t id = s->occ_id[k], w = id >> 6;
            int32_t rank = s->before[w] + bits_set(s->seen_bits[w] & ((1ULL << (id & 63)) - 1));
            out->counts[base + rank]++;
            s->occ_local[k] = rank;
        }
        for (int32_t v = low >> 12; v <= high >> 12; v++) {
            for (uint64_t words = s->summary[v]; words; words &= words - 1) {
                s->seen_bits[v * 64 + __builtin_ctzll(words)] = 0;
            }
            s->summary[v] = 0;
        }
    }
    /* The word of every centre position (word_of for each, walking the words once). */
    int64_t clip = length > 0 ? length - 1 : 0;
    for (int64_t pos = 0, j = first; pos <= clip; pos++) {
        while (j < last && b->word_ends[j] <= pos) j++;
        s->word_at[pos] = last >= first && b->word_starts[j] <= pos ? (int32_t)j : -1;
    }
    for (int64_t k = 0; k < n_found; k++) {
        int64_t centre = s->occ_centre[k];
        centre = centre < 0 ? 0 : (centre > clip ? clip : centre);
        int32_t word = s->word_at[centre];
        if (word >= 0) {
            out->occ_nnz[out->n_occ] = base + s->occ_local[k];
            out->occ_word[out->n_occ] = word;
            out->n_occ++;
        }
    }
    out->nnz += n_seen;
    out->indptr[doc + 1] = (int32_t)out->nnz;
}

/* Scratch memory kept from call to call (a single comment would otherwise pay for allocating
 * and clearing a table as large as the vocabulary). The per-comment arrays grow to the longest
 * comment seen, the id table and bitmap to the largest vocabulary; featurise_one leaves the
 * table all -1 and the bitmap all 0 after every comment. Guarded by the GIL. */
static Scratch scratch;
static size_t scratch_doc, scratch_chars, scratch_ids;

/* Grow each of ``count`` scratch arrays to ``n`` items of its item size. A failed realloc
 * leaves that array as it was (still valid, only smaller): the caller keeps the old size. */
static int grow(void **arrays[], const size_t item[], int count, size_t n) {
    for (int k = 0; k < count; k++) {
        void *bigger = realloc(*arrays[k], item[k] * n);
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *arrays[k] = bigger;
    }
    return 0;
}

static int reserve(size_t doc, size_t chars, size_t ids) {
    if (doc > scratch_doc) {
        void **arrays[] = {(void **)&scratch.occ_hash, (void **)&scratch.occ_id,
                           (void **)&scratch.occ_local, (void **)&scratch.occ_centre};
        const size_t item[] = {sizeof(uint64_t), sizeof(int32_t), sizeof(int32_t),
                               sizeof(int64_t)};
        if (grow(arrays, item, 4, doc) < 0) return -1;
        scratch_doc = doc;
    }
    if (chars > scratch_chars) {
        void **arrays[] = {(void **)&scratch.word_at, (void **)&scratch.rolling,
                           (void **)&scratch.word_hash};
        const size_t item[] = {sizeof(int32_t), sizeof(uint64_t), sizeof(uint64_t)};
        if (grow(arrays, item, 3, chars) < 0) return -1;
        scratch_chars = chars;
    }
    if (ids > scratch_ids) {
        size_t words = ids / 64 + 1, summary = ids / 4096 + 1;
        void **arrays[] = {(void **)&scratch.seen_bits, (void **)&scratch.before};
        const size_t item[] = {sizeof(uint64_t), sizeof(int32_t)};
        void **summary_array[] = {(void **)&scratch.summary};
        const size_t summary_item[] = {sizeof(uint64_t)};
        if (grow(arrays, item, 2, words) < 0 || grow(summary_array, summary_item, 1, summary) < 0) {
            return -1;
        }
        memset(scratch.seen_bits, 0, sizeof(uint64_t) * words);
        memset(scratch.summary, 0, sizeof(uint64_t) * summary);
        scratch_ids = ids;
    }
    return 0;
}

static int get(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable,
               const char *name) {
    if (PyObject_GetBuffer(obj, view, writable ? PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS
                                               : PyBUF_C_CONTIGUOUS) < 0) {
        return -1;
    }
    if (view->len % itemsize != 0) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes is not a whole number of %zd-byte items",
                     name, view->len, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* The buffers of one call, acquired together (those from ``writable_from`` on writable) and
 * released together. */
#define MAX_BUFFERS 16
typedef struct {
    Py_buffer views[MAX_BUFFERS];
    int got;
} Buffers;

static int acquire(Buffers *b, PyObject *const objs[], const char *const names[],
                   const Py_ssize_t sizes[], int n, int writable_from) {
    for (b->got = 0; b->got < n; b->got++) {
        int k = b->got;
        if (get(objs[k], &b->views[k], sizes[k], k >= writable_from, names[k]) < 0) return -1;
    }
    return 0;
}

static void release(Buffers *b) {
    for (int k = 0; k < b->got; k++) PyBuffer_Release(&b->views[k]);
}

/* CSR rows: pointers that start at 0, end at nnz and never decrease; columns in range. */
static int check_rows(const char *who, const int32_t *indptr, Py_ssize_t n,
                      const int32_t *indices, Py_ssize_t nnz, Py_ssize_t n_columns) {
    if (indptr[0] != 0 || indptr[n] != nnz) {
        PyErr_Format(PyExc_ValueError, "%s: row pointers do not match the values", who);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (indptr[i + 1] < indptr[i]) {
            PyErr_Format(PyExc_ValueError, "%s: row pointers decrease", who);
            return -1;
        }
    }
    for (Py_ssize_t j = 0; j < nnz; j++) {
        if (indices[j] < 0 || indices[j] >= n_columns) {
            PyErr_Format(PyExc_ValueError, "%s: a column is out of range", who);
            return -1;
        }
    }
    return 0;
}

/* Row numbers ``members`` of an n-row batch. */
static int check_members(const char *who, const int64_t *members, Py_ssize_t n_members,
                         Py_ssize_t n) {
    for (Py_ssize_t m = 0; m < n_members; m++) {
        if (members[m] < 0 || members[m] >= n) {
            PyErr_Format(PyExc_ValueError, "%s: a member row is out of range", who);
            return -1;
        }
    }
    return 0;
}

/* A sparse vector's terms: ascending and in [0, n_features). */
static int check_terms(const char *what, const int64_t *terms, Py_ssize_t n,
                       Py_ssize_t n_features) {
    for (Py_ssize_t a = 0; a < n; a++) {
        if (terms[a] < 0 || terms[a] >= n_features || (a > 0 && terms[a] <= terms[a - 1])) {
            PyErr_Format(PyExc_ValueError, "%s terms out of range or not sorted", what);
            return -1;
        }
    }
    return 0;
}

#define N_BUFFERS 13

static PyObject *featurise(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[N_BUFFERS + 1];
    int char_lo, char_hi, word_lo, word_hi, word_bounded, bits, present_bits = 0;
    objs[N_BUFFERS] = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOOOOiiiiiiOOOOO|Oi", &objs[0], &objs[1], &objs[2],
                          &objs[3], &objs[4], &objs[5], &objs[6], &objs[7], &char_lo, &char_hi,
                          &word_lo, &word_hi, &word_bounded, &bits, &objs[8], &objs[9],
                          &objs[10], &objs[11], &objs[12], &objs[13], &present_bits)) {
        return NULL;
    }
    static const char *names[N_BUFFERS + 1] = {
        "text", "starts", "lengths", "word_starts", "word_ends", "word_ptr", "vocab",
        "bucket_starts", "indptr", "ids", "counts", "occ_nnz", "occ_word", "present"};
    static const Py_ssize_t sizes[N_BUFFERS + 1] = {4, 8, 8, 8, 8, 8, 8, 4, 4, 4, 8, 8, 8, 8};
    int n_buffers = objs[N_BUFFERS] != NULL ? N_BUFFERS + 1 : N_BUFFERS;
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, N_BUFFERS, 8) < 0) goto done;
    if (n_buffers > N_BUFFERS) { /* read-only, after the outputs */
        if (get(objs[N_BUFFERS], &buffers.views[N_BUFFERS], 8, 0, names[N_BUFFERS]) < 0) goto done;
        buffers.got++;
    }
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[1].len / 8, n_vocab = views[6].len / 8;
    Py_ssize_t n_text = views[0].len / 4, n_words = views[3].len / 8;
    Py_ssize_t cap_nnz = views[9].len / 4, cap_occ = views[11].len / 8;
    if (views[2].len / 8 != n || views[5].len / 8 != n + 1 || views[4].len / 8 != n_words ||
        views[8].len / 4 != n + 1 || views[10].len / 8 != cap_nnz ||
        views[12].len / 8 != cap_occ || bits < 1 || bits > 32 ||
        views[7].len / 4 != ((Py_ssize_t)1 << bits) + 1 || char_lo < 1 || word_lo < 1) {
        PyErr_SetString(PyExc_ValueError, "featurise: inconsistent buffer sizes or n-gram sizes");
        goto done;
    }
    Batch b = {views[0].buf, views[1].buf, views[2].buf, views[3].buf, views[4].buf,
               views[5].buf, char_lo, char_hi, word_lo, word_hi, word_bounded};
    Vocabulary v = {views[6].buf, n_vocab, views[7].buf, bits, NULL, 0};
    if (n_buffers > N_BUFFERS) {
        if (present_bits < 6 || present_bits > 32 ||
            views[13].len / 8 != (Py_ssize_t)1 << (present_bits - 6)) {
            PyErr_SetString(PyExc_ValueError, "featurise: presence table of the wrong size");
            goto done;
        }
        v.present = views[13].buf;
        v.present_bits = present_bits;
    }
    /* Bounds: every comment inside the text, word spans inside their comment, and room for
     * the worst case of the outputs (each occurrence a distinct feature, inside a word). */
    int64_t longest = 0, need = 0;
    for (Py_ssize_t d = 0; d < n; d++) {
        int64_t start = b.starts[d], length = b.lengths[d];
        int64_t w0 = b.word_ptr[d], w1 = b.word_ptr[d + 1];
        if (start < 0 || length < 0 || start + length > n_text || w0 < 0 || w1 < w0 ||
            w1 > n_words || (d == 0 && w0 != 0)) {
            PyErr_SetString(PyExc_ValueError, "featurise: comment or word bounds out of range");
            goto done;
        }
        for (int64_t j = w0; j < w1; j++) {
            if (b.word_starts[j] < 0 || b.word_ends[j] <= b.word_starts[j] ||
                b.word_ends[j] > length) {
                PyErr_SetString(PyExc_ValueError, "featurise: a word span is outside its comment");
                goto done;
            }
        }
        int64_t padded = length + 2, words = w1 - w0;
        if (padded > longest) longest = padded;
        for (int size = char_lo; size <= char_hi; size++) need += padded >= size ? padded - size + 1 : 0;
        for (int size = word_lo; size <= word_hi; size++) need += words >= size ? words - size + 1 : 0;
    }
    if (need > cap_nnz || need > cap_occ) {
        PyErr_Format(PyExc_ValueError, "featurise: outputs hold %zd, %zd items; %lld needed",
                     cap_nnz, cap_occ, (long long)need);
        goto done;
    }
    int64_t per_doc = longest * (char_hi > 0 ? char_hi : 1) + longest * (word_hi > 0 ? word_hi : 1) + 1;
    if (reserve((size_t)per_doc, (size_t)longest + 1, (size_t)n_vocab + 1) < 0) goto done;
    Output out = {views[8].buf, views[9].buf, views[10].buf, views[11].buf, views[12].buf, 0, 0};
    out.indptr[0] = 0;
    /* The GIL stays held: the scratch memory is shared by every call. */
    for (Py_ssize_t d = 0; d < n; d++) featurise_one(&b, &v, &scratch, d, &out);
    result = Py_BuildValue("nn", out.nnz, out.n_occ);
done:
    release(&buffers);
    return result;
}


/* Sublinear TF-IDF rows, each l2-normalised: value = log_tf[count] * idf[id] (log_tf[k] is
 * 1 + log k, computed by numpy: text_features.log_tf), divided by the square root of the
 * row's squares summed in order from 0.0 (or by 1.0 for an all-zero row). Exactly what
 * text_features.tfidf_values computes with numpy. */
static PyObject *tfidf(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[6];
    if (!PyArg_ParseTuple(args, "OOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5])) {
        return NULL;
    }
    static const char *names[6] = {"indptr", "ids", "counts", "idf", "log_tf", "out"};
    static const Py_ssize_t sizes[6] = {4, 4, 8, 4, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, 6, 5) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[0].len / 4 - 1, nnz = views[1].len / 4, n_log = views[4].len / 8;
    if (n < 0 || views[2].len / 8 != nnz || views[5].len / 8 != nnz) {
        PyErr_SetString(PyExc_ValueError, "tfidf: inconsistent buffer sizes");
        goto done;
    }
    const int32_t *indptr = views[0].buf, *ids = views[1].buf;
    const int64_t *counts = views[2].buf;
    const float *idf = views[3].buf;
    const double *log_tf = views[4].buf;
    double *out = views[5].buf;
    if (check_rows("tfidf", indptr, n, ids, nnz, views[3].len / 4) < 0) goto done;
    for (Py_ssize_t j = 0; j < nnz; j++) {
        if (counts[j] < 1 || counts[j] >= n_log) {
            PyErr_SetString(PyExc_ValueError, "tfidf: a count is outside the log_tf table");
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double squares = 0.0;
        for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) {
            double value = log_tf[counts[j]] * (double)idf[ids[j]];
            out[j] = value;
            squares += value * value;
        }
        double norm = sqrt(squares);
        if (norm == 0.0) norm = 1.0;
        for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) out[j] /= norm;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* ---- The English toxic-span lexicon (moderation/classifier/lexicon.py) ----------------------
 *
 * ToxicLexicon.word_rates finds the words of a normalised comment with [a-z]+(?:'[a-z]+)?
 * and looks each up; summarise() turns the rates into three features; the toxicity head keeps
 * the first ten words for explanations. Here the same words are found and looked up by hash
 * (the n-gram word hash of their code points, as ngram_hashing.word_hashes gives), and only
 * those results come back, not a Python tuple per word. */

#define LEXICON_KEPT 10 /* words kept per comment for explanations (heads.py) */

static inline int ascii_lower(uint32_t c) { return c >= 'a' && c <= 'z'; }

static inline int64_t find_rate(const uint64_t *hashes, Py_ssize_t n, uint64_t h) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (hashes[mid] < h) lo = mid + 1; else hi = mid;
    }
    return lo < n && hashes[lo] == h ? lo : -1;
}

#define LEXICON_BUFFERS 9

static PyObject *lexicon_scan(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[LEXICON_BUFFERS];
    double hit_at;
    if (!PyArg_ParseTuple(args, "OOOOOdOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &hit_at, &objs[5], &objs[6], &objs[7], &objs[8])) {
        return NULL;
    }
    static const char *names[LEXICON_BUFFERS] = {"text", "starts", "lengths", "hashes", "rates",
                                                 "features", "kept", "spans", "kept_rates"};
    static const Py_ssize_t sizes[LEXICON_BUFFERS] = {4, 8, 8, 8, 8, 8, 8, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, LEXICON_BUFFERS, 5) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[1].len / 8, n_text = views[0].len / 4, n_words = views[3].len / 8;
    if (views[2].len / 8 != n || views[4].len / 8 != n_words || views[5].len / 8 != 3 * n ||
        views[6].len / 8 != n || views[7].len / 8 != 2 * LEXICON_KEPT * n ||
        views[8].len / 8 != LEXICON_KEPT * n) {
        PyErr_SetString(PyExc_ValueError, "lexicon_scan: inconsistent buffer sizes");
        goto done;
    }
    const uint32_t *text = views[0].buf;
    const int64_t *starts = views[1].buf, *lengths = views[2].buf;
    for (Py_ssize_t d = 0; d < n; d++) {
        if (starts[d] < 0 || lengths[d] < 0 || starts[d] + lengths[d] > n_text) {
            PyErr_SetString(PyExc_ValueError, "lexicon_scan: comment bounds out of range");
            goto done;
        }
    }
    const uint64_t *hashes = views[3].buf;
    const double *rates = views[4].buf;
    double *features = views[5].buf, *kept_rates = views[8].buf;
    int64_t *kept = views[6].buf, *spans = views[7].buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t d = 0; d < n; d++) {
        const uint32_t *t = text + starts[d];
        int64_t length = lengths[d], i = 0, n_kept = 0, hits = 0;
        double top[3] = {0.0, 0.0, 0.0}; /* the three highest rates, highest first */
        int n_top = 0;
        while (i < length) {
            if (!ascii_lower(t[i])) { i++; continue; }
            int64_t start = i;
            while (i < length && ascii_lower(t[i])) i++;
            if (i + 1 < length && t[i] == '\'' && ascii_lower(t[i + 1])) {
                i++;
                while (i < length && ascii_lower(t[i])) i++;
            }
            uint64_t h = 0;
            for (int64_t k = start; k < i; k++) h = h * P + (uint64_t)t[k] + 1u;
            int64_t at = find_rate(hashes, n_words, mix(h ^ WORD_SALT));
            if (at < 0 || !(rates[at] > 0.0)) continue;
            double rate = rates[at];
            hits += rate >= hit_at;
            if (n_kept < LEXICON_KEPT) {
                spans[2 * (LEXICON_KEPT * d + n_kept)] = start;
                spans[2 * (LEXICON_KEPT * d + n_kept) + 1] = i;
                kept_rates[LEXICON_KEPT * d + n_kept] = rate;
                n_kept++;
            }
            int slot = n_top < 3 ? n_top++ : 3; /* insert into the top three, keeping order */
            while (slot > 0 && top[slot - 1] < rate) {
                if (slot < 3) top[slot] = top[slot - 1];
                slot--;
            }
            if (slot < 3) top[slot] = rate;
        }
        /* summarise(): max, sum of the top three added highest first, hits */
        features[3 * d] = n_top ? top[0] : 0.0;
        double sum = 0.0;
        for (int k = 0; k < n_top; k++) sum += top[k];
        features[3 * d + 1] = sum;
        features[3 * d + 2] = (double)hits;
        kept[d] = n_kept;
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* ---- Words (ngram_hashing.WORD: [^\W_]+(?:['’][^\W_]+)?) -----------------------------------
 *
 * [^\W_] is a character Python's re counts as alphanumeric: the same Py_UNICODE_ISALNUM test
 * its engine applies to str patterns. A word is a maximal run of them, optionally followed by
 * an apostrophe (' or ’) and another maximal run. */

static inline int alnum(uint32_t c) {
    if (c < 128) return ((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9');
    return Py_UNICODE_ISALNUM((Py_UCS4)c);
}
/* \d as Python's re tests it (Py_UNICODE_ISDECIMAL), with the ASCII answer inline. */
static inline int decimal(uint32_t c) {
    return c < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDECIMAL((Py_UCS4)c);
}
static inline int apostrophe(uint32_t c) { return c == '\'' || c == 0x2019; }

static PyObject *find_words(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[6];
    if (!PyArg_ParseTuple(args, "OOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5])) {
        return NULL;
    }
    static const char *names[6] = {"text", "starts", "lengths", "word_ptr", "word_starts",
                                   "word_ends"};
    static const Py_ssize_t sizes[6] = {4, 8, 8, 8, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, 6, 3) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[1].len / 8, n_text = views[0].len / 4, cap = views[4].len / 8;
    if (views[2].len / 8 != n || views[3].len / 8 != n + 1 || views[5].len / 8 != cap) {
        PyErr_SetString(PyExc_ValueError, "find_words: inconsistent buffer sizes");
        goto done;
    }
    const uint32_t *text = views[0].buf;
    const int64_t *starts = views[1].buf, *lengths = views[2].buf;
    int64_t need = 0;
    for (Py_ssize_t d = 0; d < n; d++) {
        if (starts[d] < 0 || lengths[d] < 0 || starts[d] + lengths[d] > n_text) {
            PyErr_SetString(PyExc_ValueError, "find_words: comment bounds out of range");
            goto done;
        }
        need += (lengths[d] + 1) / 2; /* words are separated: at most one per two characters */
    }
    if (need > cap) {
        PyErr_SetString(PyExc_ValueError, "find_words: outputs too small");
        goto done;
    }
    int64_t *ptr = views[3].buf, *word_starts = views[4].buf, *word_ends = views[5].buf;
    int64_t found = 0;
    ptr[0] = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t d = 0; d < n; d++) {
        const uint32_t *t = text + starts[d];
        int64_t length = lengths[d], i = 0;
        while (i < length) {
            if (!alnum(t[i])) { i++; continue; }
            int64_t start = i;
            while (i < length && alnum(t[i])) i++;
            if (i + 1 < length && apostrophe(t[i]) && alnum(t[i + 1])) {
                i++;
                while (i < length && alnum(t[i])) i++;
            }
            word_starts[found] = start;
            word_ends[found] = i;
            found++;
        }
        ptr[d + 1] = found;
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromLongLong(found);
done:
    release(&buffers);
    return result;
}

/* ---- Sparse rows times dense coefficients (heads.py) -----------------------------------------
 *
 * out[i, k] = sum over row i's stored values of value * dense[column, k], added in storage
 * order from 0.0: the order (and so the bits) of scipy's csr_matvec / csr_matvecs, without
 * building a scipy matrix for every batch. */

static PyObject *csr_dot(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[5];
    Py_ssize_t k_cols;
    if (!PyArg_ParseTuple(args, "OOOOnO", &objs[0], &objs[1], &objs[2], &objs[3], &k_cols,
                          &objs[4])) {
        return NULL;
    }
    static const char *names[5] = {"indptr", "indices", "data", "dense", "out"};
    static const Py_ssize_t sizes[5] = {4, 4, 8, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, 5, 4) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[0].len / 4 - 1, nnz = views[1].len / 4;
    if (n < 0 || k_cols < 1 || views[2].len / 8 != nnz || views[4].len / 8 != n * k_cols ||
        views[3].len / 8 % k_cols != 0) {
        PyErr_SetString(PyExc_ValueError, "csr_dot: inconsistent buffer sizes");
        goto done;
    }
    const int32_t *indptr = views[0].buf, *indices = views[1].buf;
    const double *data = views[2].buf, *dense = views[3].buf;
    double *out = views[4].buf;
    if (check_rows("csr_dot", indptr, n, indices, nnz, views[3].len / 8 / k_cols) < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    /* One pass over each row for all k columns at once (each column's sum still runs over
     * the row in order), prefetching the dense rows a stride ahead: they are megabytes, so
     * nearly every one misses the cache. */
    for (Py_ssize_t i = 0; i < n; i++) {
        double *sums = out + i * k_cols;
        for (Py_ssize_t k = 0; k < k_cols; k++) sums[k] = 0.0;
        for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) {
            if (j + AHEAD < nnz) __builtin_prefetch(&dense[(Py_ssize_t)indices[j + AHEAD] * k_cols]);
            const double *row = dense + (Py_ssize_t)indices[j] * k_cols;
            for (Py_ssize_t k = 0; k < k_cols; k++) sums[k] += data[j] * row[k];
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* The sums of background_dot (below). On x86-64 with glibc, also built for processors with
 * AVX2 (chosen when the module loads): four of the k independent sums per instruction instead
 * of two. Each sum is still one multiply and one add per term, in row order (no fused
 * multiply-add: the build has -ffp-contract=off, and the avx2 target does not include FMA),
 * so the bits are the same. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__) && !defined(__AVX2__)
__attribute__((target_clones("avx2", "default")))
#endif
static void background_rows(Py_ssize_t n, const int32_t *indptr, const int32_t *indices,
                            Py_ssize_t nnz, const double *data, const int64_t *term_rows,
                            const float *table, Py_ssize_t k_cols, double *out) {
    for (Py_ssize_t i = 0; i < n; i++) {
        double *sums = out + i * k_cols;
        for (Py_ssize_t k = 0; k < k_cols; k++) sums[k] = 0.0;
        for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) {
            if (j + 2 * AHEAD < nnz) __builtin_prefetch(&term_rows[indices[j + 2 * AHEAD]]);
            if (j + AHEAD < nnz) {
                /* A row spans several cache lines (16 floats each). */
                const float *ahead = table + term_rows[indices[j + AHEAD]] * k_cols;
                for (Py_ssize_t k = 0; k < k_cols; k += 16) __builtin_prefetch(ahead + k);
                __builtin_prefetch(ahead + k_cols - 1);
            }
            int64_t r = term_rows[indices[j]];
            if (r == 0) continue;
            const float *row = table + r * k_cols;
            double value = data[j];
            for (Py_ssize_t k = 0; k < k_cols; k++) sums[k] += value * (double)row[k];
        }
    }
}

/* Each sparse row (a comment's off-topic TF-IDF vector) times a dense float32 table of
 * background articles, looked up through term_rows (feature id -> table row; row 0 is all
 * zeros and is skipped). Each output is the row's products summed in order, starting from
 * 0.0: exactly what off_topic_features.background_dot_numpy computes. */
static PyObject *background_dot(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[6];
    Py_ssize_t k_cols;
    if (!PyArg_ParseTuple(args, "OOOOOnO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &k_cols, &objs[5])) {
        return NULL;
    }
    static const char *names[6] = {"indptr", "indices", "data", "term_rows", "table", "out"};
    static const Py_ssize_t sizes[6] = {4, 4, 8, 8, 4, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, 6, 5) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[0].len / 4 - 1, nnz = views[1].len / 4;
    Py_ssize_t n_terms = views[3].len / 8, n_table = views[4].len / 4;
    if (n < 0 || k_cols < 1 || views[2].len / 8 != nnz || views[5].len / 8 != n * k_cols ||
        n_table % k_cols != 0) {
        PyErr_SetString(PyExc_ValueError, "background_dot: inconsistent buffer sizes");
        goto done;
    }
    const int32_t *indptr = views[0].buf, *indices = views[1].buf;
    const double *data = views[2].buf;
    const int64_t *term_rows = views[3].buf;
    const float *table = views[4].buf;
    double *out = views[5].buf;
    if (check_rows("background_dot", indptr, n, indices, nnz, n_terms) < 0) goto done;
    for (Py_ssize_t j = 0; j < nnz; j++) {
        if (term_rows[indices[j]] < 0 || term_rows[indices[j]] >= n_table / k_cols) {
            PyErr_SetString(PyExc_ValueError, "background_dot: a table row is out of range");
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    background_rows(n, indptr, indices, nnz, data, term_rows, table, k_cols, out);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* The first position at or after ``from`` whose key is not below ``key`` in sorted ``keys``:
 * a galloping search, cheap when successive keys (a row's sorted terms) are close. */
static inline Py_ssize_t gallop(const int64_t *keys, Py_ssize_t n, Py_ssize_t from, int64_t key) {
    Py_ssize_t lo = from, hi = from, step = 1;
    while (hi < n && keys[hi] < key) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
    }
    if (hi > n) hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The off-topic head's per-comment overlap with its article, for the comments ``members``
 * of one article: each stored value's weight in the article (written to in_article), the
 * cosine with the article and with its title (the products summed in row order from 0.0, as
 * np.bincount sums them), how many of the row's terms are informative and how many of those
 * the article has. ``scratch`` holds 2 x n_features zeros; the article's and title's weights
 * are scattered into it and cleared again before returning. */
static PyObject *article_overlap(PyObject *Py_UNUSED(self), PyObject *args) {
    enum { N = 12 };
    PyObject *objs[N];
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5], &objs[6], &objs[7], &objs[8], &objs[9], &objs[10], &objs[11])) {
        return NULL;
    }
    static const char *names[N] = {"indptr", "indices", "data", "members", "article_indices",
                                   "article_values", "title_indices", "title_values",
                                   "informative", "scratch", "in_article", "out"};
    static const Py_ssize_t sizes[N] = {4, 4, 8, 8, 8, 8, 8, 8, 1, 8, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, N, 9) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[0].len / 4 - 1, nnz = views[1].len / 4, n_members = views[3].len / 8;
    Py_ssize_t n_article = views[4].len / 8, n_title = views[6].len / 8;
    Py_ssize_t n_features = views[8].len;
    if (n < 0 || views[2].len / 8 != nnz || views[5].len / 8 != n_article ||
        views[7].len / 8 != n_title || views[9].len / 8 != 2 * n_features ||
        views[10].len / 8 != nnz || views[11].len / 8 != 4 * n) {
        PyErr_SetString(PyExc_ValueError, "article_overlap: inconsistent buffer sizes");
        goto done;
    }
    const int32_t *indptr = views[0].buf, *indices = views[1].buf;
    const double *data = views[2].buf, *article_values = views[5].buf, *title_values = views[7].buf;
    const int64_t *members = views[3].buf, *article_indices = views[4].buf,
                  *title_indices = views[6].buf;
    const uint8_t *informative = views[8].buf;
    double *scratch = views[9].buf, *in_article = views[10].buf, *out = views[11].buf;
    if (check_rows("article_overlap", indptr, n, indices, nnz, n_features) < 0 ||
        check_members("article_overlap", members, n_members, n) < 0 ||
        check_terms("article_overlap: article", article_indices, n_article, n_features) < 0 ||
        check_terms("article_overlap: title", title_indices, n_title, n_features) < 0) {
        goto done;
    }
    /* Fewer terms to look up than the article has (a single comment, a few): galloping
     * search in the sorted vectors, which stay in cache; more: scatter the vectors into the
     * scratch table, gather, and clear it again. Scattering writes 2 x n_article scattered
     * doubles over a table of n_features, which a small batch does not pay back. */
    Py_ssize_t n_terms = 0;
    for (Py_ssize_t m = 0; m < n_members; m++) n_terms += indptr[members[m] + 1] - indptr[members[m]];
    int search = n_terms < n_article;
    double *title_weights = scratch + n_features;
    if (!search) {
        for (Py_ssize_t a = 0; a < n_article; a++) scratch[article_indices[a]] = article_values[a];
        for (Py_ssize_t a = 0; a < n_title; a++) title_weights[title_indices[a]] = title_values[a];
    }
    for (Py_ssize_t m = 0; m < n_members; m++) {
        Py_ssize_t i = members[m], at = 0, at_title = 0;
        double cosine = 0.0, cosine_title = 0.0;
        int64_t n_informative = 0, hits = 0;
        for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) {
            int32_t term = indices[j];
            double weight, title_weight;
            if (search) { /* a row's terms ascend: each search starts where the last ended */
                if (j > indptr[i] && term < indices[j - 1]) at = at_title = 0; /* unsorted row */
                at = gallop(article_indices, n_article, at, term);
                weight = at < n_article && article_indices[at] == term ? article_values[at] : 0.0;
                at_title = gallop(title_indices, n_title, at_title, term);
                title_weight = at_title < n_title && title_indices[at_title] == term
                                   ? title_values[at_title] : 0.0;
            } else {
                weight = scratch[term];
                title_weight = title_weights[term];
            }
            in_article[j] = weight;
            cosine += data[j] * weight;
            cosine_title += data[j] * title_weight;
            if (informative[term]) {
                n_informative++;
                hits += weight > 0.0;
            }
        }
        out[4 * i] = cosine;
        out[4 * i + 1] = cosine_title;
        out[4 * i + 2] = (double)n_informative;
        out[4 * i + 3] = (double)hits;
    }
    if (!search) {
        for (Py_ssize_t a = 0; a < n_article; a++) scratch[article_indices[a]] = 0.0;
        for (Py_ssize_t a = 0; a < n_title; a++) title_weights[title_indices[a]] = 0.0;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* Where each comment's cosine with its article stands among its cosines with the background
 * articles kept (keep[k] != 0; none kept counts as one background cosine of 0): the z-score
 * (own - mean) / (std + 0.01) and the share of background cosines below it, for the rows
 * ``members``. Means and variances are summed in order from the first value, exactly as
 * off_topic_features.background_scores_numpy computes them. */
static PyObject *background_scores(PyObject *Py_UNUSED(self), PyObject *args) {
    enum { N = 6 };
    PyObject *objs[N];
    if (!PyArg_ParseTuple(args, "OOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5])) {
        return NULL;
    }
    static const char *names[N] = {"sims", "keep", "own", "members", "z", "percentile"};
    static const Py_ssize_t sizes[N] = {8, 1, 8, 8, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, N, 4) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t k_cols = views[1].len, n = views[2].len / 8, n_members = views[3].len / 8;
    if (views[0].len / 8 != n * k_cols || views[4].len / 8 != n || views[5].len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "background_scores: inconsistent buffer sizes");
        goto done;
    }
    const double *sims = views[0].buf, *own = views[2].buf;
    const uint8_t *keep = views[1].buf;
    const int64_t *members = views[3].buf;
    double *z = views[4].buf, *percentile = views[5].buf;
    if (check_members("background_scores", members, n_members, n) < 0) goto done;
    Py_ssize_t kept = 0;
    for (Py_ssize_t k = 0; k < k_cols; k++) kept += keep[k] != 0;
    for (Py_ssize_t m = 0; m < n_members; m++) {
        Py_ssize_t i = members[m];
        const double *row = sims + i * k_cols;
        double mean = 0.0, var = 0.0, below = 0.0;
        if (kept == 0) {
            below = 0.0 < own[i];
        } else {
            int first = 1;
            for (Py_ssize_t k = 0; k < k_cols; k++) {
                if (!keep[k]) continue;
                mean = first ? row[k] : mean + row[k];
                first = 0;
                below += row[k] < own[i];
            }
            mean /= (double)kept;
            first = 1;
            for (Py_ssize_t k = 0; k < k_cols; k++) {
                if (!keep[k]) continue;
                double d = row[k] - mean;
                var = first ? d * d : var + d * d;
                first = 0;
            }
            var /= (double)kept;
            below /= (double)kept;
        }
        z[i] = (own[i] - mean) / (sqrt(var) + 0.01);
        percentile[i] = below;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* Which of the normaliser's rewrites could apply to ``text``, in one pass instead of one
 * regex search each (moderation/classifier/normalise.py). Bits:
 *   1  spaced letters: exactly _SPACED with ``letters`` letters (normalise.py, 4;
 *      normalise_ru.py, 3), (?<![\w])(?:[^\W\d_][ .\-_*]){letters-1,}[^\W\d_](?![\w])
 *      (see spaced_run);
 *   2  three equal characters in a row, not newlines: exactly _REPEATS, (.)\1{2,};
 *   4  whitespace that is not a plain space, or two whitespace characters in a row:
 *      exactly _ODD_WHITESPACE (and normalise_ru._ODD_SPACE);
 *   8  three equal characters in a row that are neither digits nor whitespace: exactly
 *      normalise_ru._REPEATS, ([^\d\s])\1{2,};
 *  16  a Cyrillic letter next to a Latin letter, digit, "@" or "$", or next to one of
 *      "іїў": exactly normalise_ru._MIXED_TRIGGER;
 *  32  a fullwidth character (U+FF01..U+FF5E, U+3000): exactly the _FULLWIDTH_TRIGGER class;
 *  64  an ASCII letter next to a Greek or Cyrillic one: exactly _HOMOGLYPH_TRIGGER;
 * 128  an invisible or control character: exactly the _INVISIBLE class;
 * 256  one of "0-9@$!" followed by an ASCII letter (necessary for _LEET_TRIGGER);
 * 512  an ASCII letter: exactly normalise_ru._LATIN.
 * Whitespace, digits and alphanumerics are tested as Python's re tests \s, \d and \w. */
static inline int separator(Py_UCS4 c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*';
}

static inline int cyrillic(Py_UCS4 c) { return c >= 0x410 && c <= 0x44F; } /* [А-Яа-я] */
static inline int latin_or_digit(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '@' || c == '$';
}
static inline int i_yi_u(Py_UCS4 c) { return c == 0x456 || c == 0x457 || c == 0x45E; }

static inline int ascii_letter(Py_UCS4 c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int greek_or_cyrillic(Py_UCS4 c) { return c >= 0x370 && c <= 0x52F; }
static inline int invisible(Py_UCS4 c) {
    return c == 0xAD || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF ||
           c <= 0x08 || (c >= 0x0E && c <= 0x1F);
}
static inline int leet_mark(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || c == '@' || c == '$' || c == '!';
}

static inline int word_char(Py_UCS4 c) { return c == '_' || alnum(c); } /* \w */
static inline int re_letter(Py_UCS4 c) { return alnum(c) && !decimal(c); } /* [^\W\d_] */

/* Whether _SPACED matches at ``p``: a letter not after a word character, then ``pairs``
 * times a separator and a letter, then no word character. A longer run ends the same way
 * unless the character after a letter is "_", the one separator that is also a word
 * character: then the run may go on, and the match needs it to end well further on. */
static int spaced_run(int kind, const void *data, Py_ssize_t n, Py_ssize_t p, int pairs) {
#define AT(i) PyUnicode_READ(kind, data, (i))
    if (!re_letter(AT(p)) || (p > 0 && word_char(AT(p - 1)))) return 0;
    Py_ssize_t j = p;
    for (int k = 0; k < pairs; k++, j += 2) {
        if (j + 2 >= n || !separator(AT(j + 1)) || !re_letter(AT(j + 2))) return 0;
    }
    for (;; j += 2) { /* j: the last letter of a long enough run */
        if (j + 1 >= n || !word_char(AT(j + 1))) return 1;
        if (AT(j + 1) != '_' || j + 2 >= n || !re_letter(AT(j + 2))) return 0;
    }
#undef AT
}

static PyObject *text_flags(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    int letters;
    long wanted = 1023; /* the bits to compute: the others stay 0 */
    if (!PyArg_ParseTuple(args, "Ui|l", &text, &letters, &wanted)) return NULL;
    if (letters < 2) {
        PyErr_SetString(PyExc_ValueError, "text_flags: letters must be at least 2");
        return NULL;
    }
    wanted &= 1023;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    long flags = 0;
#define WANT(bit) ((wanted & ~flags) & (bit))
    for (Py_ssize_t i = 0; i < n && flags != wanted; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_UCS4 next = i + 1 < n ? PyUnicode_READ(kind, data, i + 1) : 0;
        if (WANT(4) && Py_UNICODE_ISSPACE(c) &&
            (c != ' ' || (i + 1 < n && Py_UNICODE_ISSPACE(next)))) {
            flags |= 4;
        }
        if (WANT(2 | 8) && i + 2 < n && next == c && PyUnicode_READ(kind, data, i + 2) == c) {
            if (c != '\n') flags |= 2 & wanted;
            if (!decimal(c) && !Py_UNICODE_ISSPACE(c)) flags |= 8 & wanted;
        }
        if (WANT(16) && i + 1 < n &&
            ((cyrillic(c) && (latin_or_digit(next) || i_yi_u(next))) ||
             ((latin_or_digit(c) || i_yi_u(c)) && cyrillic(next)))) {
            flags |= 16;
        }
        if (WANT(32) && ((c >= 0xFF01 && c <= 0xFF5E) || c == 0x3000)) flags |= 32;
        if (WANT(64) && i + 1 < n && ((ascii_letter(c) && greek_or_cyrillic(next)) ||
                                      (greek_or_cyrillic(c) && ascii_letter(next)))) {
            flags |= 64;
        }
        if (WANT(128) && invisible(c)) flags |= 128;
        if (WANT(256) && i + 1 < n && leet_mark(c) && ascii_letter(next)) flags |= 256;
        if (WANT(512) && ascii_letter(c)) flags |= 512;
        if (WANT(1) && separator(next) && spaced_run(kind, data, n, i, letters - 1)) flags |= 1;
    }
#undef WANT
    return PyLong_FromLong(flags);
}

/* The off-topic head's explanation weights (heads.score_off_topic_batch): in each row marked
 * in ``explain``, the informative terms its article lacks (in_article 0) share the negated
 * overlap coefficient equally; each such stored value's weight is its share divided by the
 * value (at least 1e-9), every other value's 0.0. Also each row's count of such terms. The
 * same operations in the same order as the numpy path: share = -overlap / count, then
 * share / max(value, 1e-9). */
static PyObject *foreign_weights(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[8];
    double overlap;
    if (!PyArg_ParseTuple(args, "OOOOOOdOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5], &overlap, &objs[6], &objs[7])) {
        return NULL;
    }
    static const char *names[8] = {"indptr",  "indices", "data", "in_article",
                                   "informative", "explain", "weights", "n_foreign"};
    static const Py_ssize_t sizes[8] = {4, 4, 8, 8, 1, 1, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, 8, 6) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n = views[0].len / 4 - 1, nnz = views[1].len / 4;
    Py_ssize_t n_features = views[4].len;
    if (n < 0 || views[2].len / 8 != nnz || views[3].len / 8 != nnz || views[5].len != n ||
        views[6].len / 8 != nnz || views[7].len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "foreign_weights: inconsistent buffer sizes");
        goto done;
    }
    const int32_t *indptr = views[0].buf, *indices = views[1].buf;
    const double *data = views[2].buf, *in_article = views[3].buf;
    const uint8_t *informative = views[4].buf, *explain = views[5].buf;
    double *weights = views[6].buf;
    int64_t *n_foreign = views[7].buf;
    if (check_rows("foreign_weights", indptr, n, indices, nnz, n_features) < 0) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t count = 0;
        if (explain[i]) {
            for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) {
                count += informative[indices[j]] && in_article[j] == 0.0;
            }
        }
        n_foreign[i] = count;
        double share = count > 0 ? -overlap / (double)count : 0.0;
        for (int32_t j = indptr[i]; j < indptr[i + 1]; j++) {
            int foreign = count > 0 && informative[indices[j]] && in_article[j] == 0.0;
            double floor = data[j] > 1e-9 ? data[j] : 1e-9;
            weights[j] = (foreign ? share : 0.0) / floor;
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* Each word's summed contribution for the explanations (batch.word_sums): every stored
 * value's share coef * value / count, added to the word of each of its occurrences in order,
 * from 0.0, as np.bincount adds them. ``coef`` holds one coefficient per feature
 * (by_feature: looked up at the value's column) or one per stored value. */
static PyObject *word_sums(PyObject *Py_UNUSED(self), PyObject *args) {
    enum { N = 7 };
    PyObject *objs[N];
    int by_feature;
    if (!PyArg_ParseTuple(args, "OiOOOOOO", &objs[0], &by_feature, &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &objs[6])) {
        return NULL;
    }
    static const char *names[N] = {"coef", "indices", "data", "counts", "occ_nnz", "occ_word",
                                   "out"};
    static const Py_ssize_t sizes[N] = {8, 4, 8, 8, 8, 8, 8};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, N, 6) < 0) goto done;
    Py_buffer *views = buffers.views;
    Py_ssize_t n_coef = views[0].len / 8, nnz = views[1].len / 4, n_occ = views[4].len / 8;
    Py_ssize_t n_words = views[6].len / 8;
    if (views[2].len / 8 != nnz || views[3].len / 8 != nnz || views[5].len / 8 != n_occ ||
        (!by_feature && n_coef != nnz)) {
        PyErr_SetString(PyExc_ValueError, "word_sums: inconsistent buffer sizes");
        goto done;
    }
    const double *coef = views[0].buf, *data = views[2].buf;
    const int32_t *indices = views[1].buf;
    const int64_t *counts = views[3].buf, *occ_nnz = views[4].buf, *occ_word = views[5].buf;
    double *out = views[6].buf;
    for (Py_ssize_t j = 0; by_feature && j < nnz; j++) {
        if (indices[j] < 0 || indices[j] >= n_coef) {
            PyErr_SetString(PyExc_ValueError, "word_sums: a column is out of range");
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < n_occ; k++) {
        if (occ_nnz[k] < 0 || occ_nnz[k] >= nnz || occ_word[k] < 0 || occ_word[k] >= n_words) {
            PyErr_SetString(PyExc_ValueError, "word_sums: an occurrence is out of range");
            goto done;
        }
    }
    /* Each stored value's share once (its coefficient gathered once, prefetched: the
     * model's coefficients are megabytes), then added to the word of each occurrence. */
    double *share = malloc(sizeof(double) * (size_t)(nnz > 0 ? nnz : 1));
    if (share == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < nnz; j++) {
        if (by_feature && j + AHEAD < nnz) __builtin_prefetch(&coef[indices[j + AHEAD]]);
        double c = by_feature ? coef[indices[j]] : coef[j];
        share[j] = c * data[j] / (double)counts[j];
    }
    for (Py_ssize_t w = 0; w < n_words; w++) out[w] = 0.0;
    for (Py_ssize_t k = 0; k < n_occ; k++) out[occ_word[k]] += share[occ_nnz[k]];
    free(share);
    result = Py_None;
    Py_INCREF(result);
done:
    release(&buffers);
    return result;
}

/* Which of the spam cues' rarer patterns could match ``text`` (spam_cues.cue_matches), in
 * one pass instead of one regex search each. Bits:
 *   1  five equal characters in a row, not newlines: exactly (.)\1{4,};
 *   2  four ASCII capitals in a row (necessary for \b[A-Z]{4,}\b);
 *   4  a run of at least ten characters from \d, \s and "().-" holding two or more digits
 *      (necessary for a phone number, \+?\d[\d\s().-]{8,}\d);
 *   8  exactly spam_cues._URL_HINT found in text.lower();
 *  16  exactly spam_cues._MONEY_HINT found in text.lower().
 * (8 and 16 hold for texts without spam_cues._CASE_TRAPS, the only ones cue_matches asks.) */
static inline int phone_char(Py_UCS4 c) {
    return decimal(c) || Py_UNICODE_ISSPACE(c) || c == '(' || c == ')' ||
           c == '.' || c == '-';
}

/* Whether ``text`` lower-cased has ``ascii`` (lower-case ASCII) at ``i``: ASCII letters
 * compared without case (the only other character that lower-cases to an ASCII letter is
 * U+212A KELVIN SIGN, "k", which none of the hints has; U+0130 lower-cases to two characters
 * and such texts take the case-insensitive patterns instead, spam_cues._CASE_TRAPS). */
static int ascii_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, const char *ascii) {
    for (; *ascii; ascii++, i++) {
        if (i >= n) return 0;
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (Py_UCS4)(unsigned char)*ascii) return 0;
    }
    return 1;
}

/* The same for lower-case Cyrillic ``word``: a character matches when lower() gives it. */
static int lower_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, const Py_UCS4 *word) {
    for (; *word; word++, i++) {
        if (i >= n || Py_UNICODE_TOLOWER(PyUnicode_READ(kind, data, i)) != *word) return 0;
    }
    return 1;
}

/* spam_cues._URL_HINT in the lower-cased text at ``i``: \.(?:com|...|biz)\b, :// or www. */
static int url_hint_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, Py_UCS4 c) {
    static const char *const domains[] = {"com", "net", "org", "ru", "ly", "io", "co", "me",
                                          "info", "biz"};
    if (c == ':') return ascii_at(kind, data, n, i, "://");
    if (c == 'w' || c == 'W') return ascii_at(kind, data, n, i, "www.");
    if (c != '.') return 0;
    for (size_t d = 0; d < sizeof domains / sizeof *domains; d++) {
        Py_ssize_t end = i + 1 + (Py_ssize_t)strlen(domains[d]);
        if (ascii_at(kind, data, n, i + 1, domains[d]) &&
            (end >= n || !word_char(PyUnicode_READ(kind, data, end)))) {
            return 1;
        }
    }
    return 0;
}

/* spam_cues._MONEY_HINT in the lower-cased text at ``i``: a currency sign or "в день"-like. */
static int money_hint_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, Py_UCS4 c) {
    static const Py_UCS4 *const periods[] = {U"в день", U"в час", U"в неделю", U"в месяц"};
    if (c == '$' || c == 0x20AC || c == 0xA3 || c == 0x20BD) return 1;
    if (c != 0x432 && c != 0x412) return 0; /* only "в" and "В" lower-case to "в" */
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++) {
        if (lower_at(kind, data, n, i, periods[p])) return 1;
    }
    return 0;
}

static PyObject *spam_flags(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), same = 0, capitals = 0, run = 0, digits = 0;
    Py_UCS4 last = 0;
    long flags = 0;
    for (Py_ssize_t i = 0; i < n && flags != 31; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!(flags & 8) && url_hint_at(kind, data, n, i, c)) flags |= 8;
        if (!(flags & 16) && money_hint_at(kind, data, n, i, c)) flags |= 16;
        same = i > 0 && c == last && c != '\n' ? same + 1 : 1;
        if (same >= 5) flags |= 1;
        capitals = c >= 'A' && c <= 'Z' ? capitals + 1 : 0;
        if (capitals >= 4) flags |= 2;
        if (phone_char(c)) {
            run++;
            digits += decimal(c) != 0;
            if (run >= 10 && digits >= 2) flags |= 4;
        } else {
            run = digits = 0;
        }
        last = c;
    }
    return PyLong_FromLong(flags);
}

/* How many whitespace-separated words ``text`` has and how many distinct ones once
 * lower-cased: len(text.lower().split()) and len(set(...)), for spam_cues.cue_values.
 * Words are compared character by character lower-cased with the simple mapping, which is
 * what str.lower() does except for U+0130 (two characters) and the Greek capital sigma
 * (final form by context): for a text with either, returns (-1, -1) and Python counts. */
static uint64_t word_key(int kind, const void *data, Py_ssize_t start, Py_ssize_t end) {
    uint64_t h = 0;
    for (Py_ssize_t k = start; k < end; k++) h = h * P + Py_UNICODE_TOLOWER(PyUnicode_READ(kind, data, k)) + 1u;
    return mix(h);
}

static int same_word(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t length) {
    for (Py_ssize_t k = 0; k < length; k++) {
        if (Py_UNICODE_TOLOWER(PyUnicode_READ(kind, data, a + k)) !=
            Py_UNICODE_TOLOWER(PyUnicode_READ(kind, data, b + k))) {
            return 0;
        }
    }
    return 1;
}

static PyObject *distinct_words(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), words = 0, distinct = 0;
    /* Open addressing over (start, length) of the first occurrence of each word; at most
     * n / 2 + 1 words, so 2 * n + 4 slots keep the table at most a quarter full. */
    size_t slots = 4;
    while (slots < (size_t)n * 2 + 4) slots *= 2;
    Py_ssize_t *table = malloc(sizeof(Py_ssize_t) * 2 * slots);
    uint64_t *keys = malloc(sizeof(uint64_t) * slots);
    if (table == NULL || keys == NULL) {
        free(table);
        free(keys);
        return PyErr_NoMemory();
    }
    for (size_t k = 0; k < slots; k++) table[2 * k] = -1;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        for (; i < n; i++) {
            c = PyUnicode_READ(kind, data, i);
            if (Py_UNICODE_ISSPACE(c)) break;
            if (c == 0x130 || c == 0x3A3) {
                words = distinct = -1;
                goto done;
            }
        }
        words++;
        uint64_t key = word_key(kind, data, start, i);
        size_t at = key & (slots - 1);
        for (;; at = (at + 1) & (slots - 1)) {
            if (table[2 * at] < 0) {
                table[2 * at] = start;
                table[2 * at + 1] = i - start;
                keys[at] = key;
                distinct++;
                break;
            }
            if (keys[at] == key && table[2 * at + 1] == i - start &&
                same_word(kind, data, table[2 * at], start, i - start)) {
                break;
            }
        }
    }
done:
    free(table);
    free(keys);
    return Py_BuildValue("nn", words, distinct);
}

/* How many chit-chat words ``text`` has (off_topic_features.chit_chat_count, whose pattern
 * is \b(?:lol|...)\b, case-insensitive). Every match is a whole word, a maximal run of \w
 * (alphanumerics and "_", as Python's re tests them): count the words that, folded as
 * re.IGNORECASE folds them onto ASCII letters, are one of these or start with "haha". Four
 * non-ASCII characters match an ASCII letter under re.IGNORECASE: U+0130 and U+0131 ("i"),
 * U+017F ("s") and U+212A ("k"). */
static const char *const CHIT_CHAT[] = {
    "lol", "lmao", "thank", "thanks", "you", "your", "u", "agree", "disagree", "wow", "nice",
    "great", "ok", "okay", "yes", "no", "indeed", "exactly", "right", "wrong"};

static inline char ascii_fold(Py_UCS4 c) {
    if (c >= 'A' && c <= 'Z') return (char)(c + 32);
    if (c < 128) return (char)c;
    if (c == 0x130 || c == 0x131) return 'i';
    if (c == 0x17F) return 's';
    if (c == 0x212A) return 'k';
    return 0; /* matches no ASCII letter */
}

/* The Russian chit-chat words (off_topic_features_ru._CHIT_CHAT_RU), matched the same way:
 * whole words, folded as re.IGNORECASE folds them: lower case, and the Cyrillic letters that
 * re.IGNORECASE treats as another case of a letter although lower() leaves them alone
 * (U+1C80..U+1C88, as re._casefix lists them). Two start words match any word they begin. */
static const Py_UCS4 *const CHIT_CHAT_RU[] = {
    U"лол", U"спасибо", U"спс", U"согласен", U"согласна", U"согласны", U"вау", U"класс",
    U"круто", U"супер", U"ок", U"окей", U"да", U"нет", U"ага", U"точно", U"именно", U"верно",
    U"неверно", U"правильно", U"привет", U"ты", U"вы", U"тебя", U"тебе", U"тобой", U"вас",
    U"вам", U"вами", U"твой", U"твоя", U"ваш", U"ваша"};
static const Py_UCS4 *const CHIT_CHAT_RU_STARTS[] = {U"ахах", U"хаха"};
#define RU_LONGEST 9

static inline Py_UCS4 russian_fold(Py_UCS4 c) {
    static const Py_UCS4 extra[] = {0x432, 0x434, 0x43E, 0x441, 0x442, 0x442, 0x44A, 0x463, 0xA64B};
    c = Py_UNICODE_TOLOWER(c);
    return c >= 0x1C80 && c <= 0x1C88 ? extra[c - 0x1C80] : c;
}

static int ucs4_equal(const Py_UCS4 *a, const Py_UCS4 *b, Py_ssize_t n) {
    for (Py_ssize_t k = 0; k < n; k++) {
        if (a[k] != b[k]) return 0;
    }
    return 1;
}

static Py_ssize_t ucs4_length(const Py_UCS4 *a) {
    Py_ssize_t n = 0;
    while (a[n]) n++;
    return n;
}

static int russian_chit_chat(const Py_UCS4 *word, Py_ssize_t length) {
    for (size_t w = 0; w < sizeof CHIT_CHAT_RU_STARTS / sizeof *CHIT_CHAT_RU_STARTS; w++) {
        if (length >= 4 && ucs4_equal(word, CHIT_CHAT_RU_STARTS[w], 4)) return 1;
    }
    if (length > RU_LONGEST) return 0;
    for (size_t w = 0; w < sizeof CHIT_CHAT_RU / sizeof *CHIT_CHAT_RU; w++) {
        const Py_UCS4 *candidate = CHIT_CHAT_RU[w];
        if (candidate[0] == word[0] && ucs4_length(candidate) == length &&
            ucs4_equal(word, candidate, length)) {
            return 1;
        }
    }
    return 0;
}

static PyObject *chit_chat(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    int russian = 0;
    if (!PyArg_ParseTuple(args, "U|p", &text, &russian)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0, i = 0;
    char word[9];
    Py_UCS4 folded[RU_LONGEST + 1];
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!(c == '_' || alnum(c))) {
            i++;
            continue;
        }
        Py_ssize_t length = 0;
        int plain = 1; /* every character folds onto an ASCII character */
        for (; i < n; i++, length++) {
            c = PyUnicode_READ(kind, data, i);
            if (!(c == '_' || alnum(c))) break;
            if (length < 8) {
                word[length] = ascii_fold(c);
                if (word[length] == 0) plain = 0;
            }
            if (russian && length <= RU_LONGEST) folded[length] = russian_fold(c);
        }
        if (russian && russian_chit_chat(folded, length)) {
            count++;
            continue;
        }
        if (length >= 4 && memcmp(word, "haha", 4) == 0) {
            count++; /* haha\w*: the rest of the word is anything */
            continue;
        }
        if (!plain || length > 8) continue;
        word[length] = '\0';
        for (size_t w = 0; w < sizeof CHIT_CHAT / sizeof *CHIT_CHAT; w++) {
            if (CHIT_CHAT[w][0] == word[0] && strcmp(word, CHIT_CHAT[w]) == 0) {
                count++;
                break;
            }
        }
    }
    return PyLong_FromSsize_t(count);
}

/* py3langid's feature counts (langid.visit_counts): walk its byte DFA over ``text`` and count
 * each feature the states emit. Writes the features in first-seen order, as the Counter
 * py3langid builds (its scores sum the features in that order), to ``ids`` and their counts
 * (as float32, as py3langid converts them) to ``counts``; both hold at least len(text)
 * items (each byte emits at most one feature). Returns how many features were seen. */
static int32_t *dfa_seen;
static size_t dfa_seen_size;

static PyObject *dfa_counts(PyObject *Py_UNUSED(self), PyObject *args) {
    enum { N = 5 };
    PyObject *objs[N];
    const unsigned char *text;
    Py_ssize_t n_text, n_features;
    if (!PyArg_ParseTuple(args, "OOOny#OO", &objs[0], &objs[1], &objs[2], &n_features, &text,
                          &n_text, &objs[3], &objs[4])) {
        return NULL;
    }
    static const char *names[N] = {"nextmove", "rowbase", "output", "ids", "counts"};
    static const Py_ssize_t sizes[N] = {4, 8, 8, 8, 4};
    Buffers buffers;
    PyObject *result = NULL;
    if (acquire(&buffers, objs, names, sizes, N, 3) < 0) goto done;
    Py_buffer *views = buffers.views;
    const uint32_t *nextmove = views[0].buf;
    const int64_t *rowbase = views[1].buf, *output = views[2].buf;
    int64_t *order = views[3].buf;
    float *counts = views[4].buf;
    Py_ssize_t n_moves = views[0].len / 4, n_states = views[1].len / 8;
    if (views[2].len / 8 != n_states || n_states < 1 || n_features < 0 ||
        views[3].len / 8 < n_text || views[4].len / 4 < n_text) {
        PyErr_SetString(PyExc_ValueError, "dfa_counts: inconsistent buffer sizes");
        goto done;
    }
    if ((size_t)n_features > dfa_seen_size) {
        int32_t *bigger = realloc(dfa_seen, sizeof(int32_t) * (size_t)n_features);
        if (bigger == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (size_t f = dfa_seen_size; f < (size_t)n_features; f++) bigger[f] = -1;
        dfa_seen = bigger;
        dfa_seen_size = (size_t)n_features;
    }
    Py_ssize_t n_seen = 0, state = 0;
    int bad = 0;
    for (Py_ssize_t i = 0; i < n_text; i++) {
        int64_t move = rowbase[state] + text[i];
        if (move < 0 || move >= n_moves || nextmove[move] >= (uint64_t)n_states) {
            bad = 1;
            break;
        }
        state = nextmove[move];
        int64_t feature = output[state];
        if (feature < 0) continue;
        if (feature >= n_features) {
            bad = 1;
            break;
        }
        int32_t at = dfa_seen[feature];
        if (at < 0) {
            at = (int32_t)n_seen++;
            dfa_seen[feature] = at;
            order[at] = feature;
            counts[at] = 0;
        }
        counts[at]++;
    }
    for (Py_ssize_t k = 0; k < n_seen; k++) dfa_seen[order[k]] = -1;
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "dfa_counts: a state or feature is out of range");
        goto done;
    }
    result = PyLong_FromSsize_t(n_seen);
done:
    release(&buffers);
    return result;
}

/* Letters of ``text`` as language.py counts them: [^\W\d_] (alphanumeric, not a digit) and,
 * of those, ASCII letters [A-Za-z]. Returns (letters, ascii_letters). */
static PyObject *letter_counts(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), letters = 0, ascii = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (re_letter(c)) {
            letters++;
            ascii += c < 128;
        }
    }
    return Py_BuildValue("nn", letters, ascii);
}

/* How many characters of ``text`` are in normalise_ru._CYRILLIC, [а-яА-ЯіїўІЇЎ]. */
static PyObject *cyrillic_letters(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0;
    if (kind == PyUnicode_1BYTE_KIND) return PyLong_FromSsize_t(0);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        count += (c >= 0x410 && c <= 0x44F) || c == 0x456 || c == 0x457 || c == 0x45E ||
                 c == 0x406 || c == 0x407 || c == 0x40E;
    }
    return PyLong_FromSsize_t(count);
}

static PyMethodDef methods[] = {
    {"featurise", featurise, METH_VARARGS,
     "featurise(text, starts, lengths, word_starts, word_ends, word_ptr, vocab, bucket_starts,\n"
     "          char_lo, char_hi, word_lo, word_hi, word_bounded, bits,\n"
     "          indptr, ids, counts, occ_nnz, occ_word[, present, present_bits])\n"
     "          -> (nnz, n_occurrences)\n\n"
     "Fill the output buffers for every comment; see moderation/classifier/batch.py."},
    {"tfidf", tfidf, METH_VARARGS,
     "tfidf(indptr, ids, counts, idf, log_tf, out): sublinear TF-IDF rows, l2-normalised."},
    {"csr_dot", csr_dot, METH_VARARGS,
     "csr_dot(indptr, indices, data, dense, k, out) -> None\n\n"
     "Sparse rows times a dense (features x k) array, summed as scipy's csr_matvec(s) does."},
    {"background_dot", background_dot, METH_VARARGS,
     "background_dot(indptr, indices, data, term_rows, table, k, out) -> None\n\n"
     "Sparse rows times the background table; see off_topic_features.background_dot."},
    {"article_overlap", article_overlap, METH_VARARGS,
     "article_overlap(indptr, indices, data, members, article_indices, article_values,\n"
     "                title_indices, title_values, informative, scratch, in_article, out)\n\n"
     "The off-topic head's overlap of each comment with its article; see heads.py."},
    {"background_scores", background_scores, METH_VARARGS,
     "background_scores(sims, keep, own, members, z, percentile) -> None\n\n"
     "Background z-scores and percentiles; see off_topic_features.background_scores."},
    {"text_flags", text_flags, METH_VARARGS,
     "text_flags(text, letters, wanted=1023) -> int\n\n"
     "Which normalisation rewrites could apply (only the wanted bits); see normalise.py."},
    {"foreign_weights", foreign_weights, METH_VARARGS,
     "foreign_weights(indptr, indices, data, in_article, informative, explain, overlap,\n"
     "                weights, n_foreign) -> None\n\n"
     "The off-topic explanation weights; see heads.score_off_topic_batch."},
    {"word_sums", word_sums, METH_VARARGS,
     "word_sums(coef, by_feature, indices, data, counts, occ_nnz, occ_word, out) -> None\n\n"
     "Each word's summed contribution; see batch.word_sums."},
    {"spam_flags", spam_flags, METH_VARARGS,
     "spam_flags(text) -> int\n\nWhich rarer spam cues could match; see spam_cues.py."},
    {"distinct_words", distinct_words, METH_VARARGS,
     "distinct_words(text) -> (words, distinct)\n\n"
     "len(text.lower().split()) and len(set(...)), or (-1, -1); see spam_cues.cue_values."},
    {"chit_chat", chit_chat, METH_VARARGS,
     "chit_chat(text, russian=False) -> int\n\nChit-chat words (English, and Russian too with\n"
     "russian); see off_topic_features.py and off_topic_features_ru.py."},
    {"dfa_counts", dfa_counts, METH_VARARGS,
     "dfa_counts(nextmove, rowbase, output, n_features, text, ids, counts) -> n_seen\n\n"
     "py3langid's feature counts; see language.py."},
    {"cyrillic_letters", cyrillic_letters, METH_VARARGS,
     "cyrillic_letters(text): how many characters are in [а-яА-ЯіїўІЇЎ]."},
    {"letter_counts", letter_counts, METH_VARARGS,
     "letter_counts(text) -> (letters, ascii_letters)\n\nLetters as language.py counts them."},
    {"find_words", find_words, METH_VARARGS,
     "find_words(text, starts, lengths, word_ptr, word_starts, word_ends) -> n_words\n\n"
     "The spans of ngram_hashing.WORD in every comment; see batch.hash_batch."},
    {"lexicon_scan", lexicon_scan, METH_VARARGS,
     "lexicon_scan(text, starts, lengths, hashes, rates, hit_at, features, kept, spans,\n"
     "             kept_rates) -> None\n\n"
     "The English lexicon's features and first words per comment; see lexicon.py."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ngrams",
                                    "The compiled core of scoring (see compiled.py).", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__ngrams(void) { return PyModule_Create(&module); }
