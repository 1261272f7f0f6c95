/* An agent that does real work on a task the user hands it at run time.
 *
 * Input, a JSON file (argv[1]):  {"text": "...", "top": 3}
 * Output, JSON on stdout:        {"words": 14, "unique": 10, "top": [{"word": "the", ...}]}
 *
 * Words are runs of ASCII letters and digits, compared case-insensitively. Bad input is an
 * error on stderr and exit status 2. Static (musl): its image needs no base. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_WORDS 65536
#define MAX_WORD 64

struct word {
	char text[MAX_WORD];
	int count;
};

static char input[MAX_INPUT + 1];
static char text[MAX_INPUT + 1];
static struct word words[MAX_WORDS];
static int unique;

static _Noreturn void fail(const char *why)
{
	fprintf(stderr, "wordcount: %s\n", why);
	exit(2);
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Reads a JSON string starting at the opening quote into out; returns the position after it.
 * Escapes other than \uXXXX are decoded; \uXXXX outside ASCII becomes '?'. */
static const char *read_string(const char *p, char *out, size_t cap)
{
	size_t n = 0;

	if (*p++ != '"')
		fail("expected a string");
	for (; *p != '"'; p++) {
		char c = *p;
		if (c == '\0')
			fail("unterminated string");
		if (c == '\\') {
			c = *++p;
			if (c == 'n' || c == 't' || c == 'r')
				c = ' ';
			else if (c == 'u') {
				unsigned v = 0;
				if (sscanf(p + 1, "%4x", &v) != 1)
					fail("bad \\u escape");
				c = v < 128 ? (char)v : '?';
				p += 4;
			} else if (c != '"' && c != '\\' && c != '/')
				c = ' ';
		}
		if (n + 1 < cap)
			out[n++] = c;
	}
	out[n] = '\0';
	return p + 1;
}

static int parse_task(const char *p, int *top)
{
	char key[32];
	int have_text = 0;

	p = skip_space(p);
	if (*p++ != '{')
		fail("the task must be a JSON object");
	for (p = skip_space(p); *p != '}'; p = skip_space(p)) {
		p = skip_space(read_string(p, key, sizeof key));
		if (*p++ != ':')
			fail("expected ':' after a key");
		p = skip_space(p);
		if (strcmp(key, "text") == 0) {
			p = read_string(p, text, sizeof text);
			have_text = 1;
		} else if (strcmp(key, "top") == 0) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || v < 0 || v > 1000)
				fail("\"top\" must be a number from 0 to 1000");
			*top = (int)v;
			p = end;
		} else {
			fail("unknown key in task (known: text, top)");
		}
		p = skip_space(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			fail("expected ',' or '}'");
	}
	return have_text;
}

static void add_word(const char *w)
{
	for (int i = 0; i < unique; i++) {
		if (strcmp(words[i].text, w) == 0) {
			words[i].count++;
			return;
		}
	}
	if (unique == MAX_WORDS)
		fail("too many distinct words");
	snprintf(words[unique].text, MAX_WORD, "%s", w);
	words[unique++].count = 1;
}

static int count_words(void)
{
	char w[MAX_WORD];
	int total = 0;
	size_t n = 0;

	for (const char *p = text;; p++) {
		if (isalnum((unsigned char)*p)) {
			if (n + 1 < sizeof w)
				w[n++] = (char)tolower((unsigned char)*p);
			continue;
		}
		if (n > 0) {
			w[n] = '\0';
			add_word(w);
			total++;
			n = 0;
		}
		if (*p == '\0')
			return total;
	}
}

static int by_count(const void *a, const void *b)
{
	const struct word *x = a, *y = b;

	if (x->count != y->count)
		return y->count - x->count;
	return strcmp(x->text, y->text);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/input/task.json";
	FILE *f = fopen(path, "r");
	int top = 5;

	if (!f) {
		fprintf(stderr, "wordcount: cannot open %s (pass it with --file HOST:%s)\n", path, path);
		return 2;
	}
	size_t len = fread(input, 1, MAX_INPUT, f);
	fclose(f);
	input[len] = '\0';
	if (!parse_task(input, &top))
		fail("the task has no \"text\"");

	int total = count_words();
	qsort(words, (size_t)unique, sizeof words[0], by_count);
	printf("{\"words\": %d, \"unique\": %d, \"top\": [", total, unique);
	for (int i = 0; i < top && i < unique; i++)
		printf("%s{\"word\": \"%s\", \"count\": %d}", i ? ", " : "", words[i].text,
		       words[i].count);
	printf("]}\n");
	return 0;
}
