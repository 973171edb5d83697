/* The text canvas for --once (see canvas.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "strbuf.h"
#include "xalloc.h"

struct grid {
	char *cells; /* h rows of w bytes */
};

static void text_put(struct canvas *c, int y, int x, const char *s, int max, int color, int attrs)
{
	struct grid *g = c->priv;
	(void)color;
	(void)attrs;
	if (y < 0 || y >= c->h || x >= c->w)
		return;
	for (int i = 0; i < max && s[i] && x + i < c->w; i++) {
		if (x + i < 0)
			continue;
		unsigned char ch = (unsigned char)s[i];
		g->cells[y * c->w + x + i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
}

static void text_fill_row(struct canvas *c, int y, int color, int attrs)
{
	(void)c;
	(void)y;
	(void)color;
	(void)attrs;
}

struct canvas *canvas_text_new(int w, int h)
{
	struct canvas *c = xcalloc(1, sizeof(*c));
	struct grid *g = xcalloc(1, sizeof(*g));
	g->cells = xmalloc((size_t)w * (size_t)h);
	memset(g->cells, ' ', (size_t)w * (size_t)h);
	c->w = w;
	c->h = h;
	c->put = text_put;
	c->fill_row = text_fill_row;
	c->priv = g;
	return c;
}

void canvas_text_print(struct canvas *c)
{
	struct grid *g = c->priv;
	for (int y = 0; y < c->h; y++) {
		int len = c->w;
		while (len > 0 && g->cells[y * c->w + len - 1] == ' ')
			len--;
		printf("%.*s\n", len, g->cells + y * c->w);
	}
}

void canvas_text_free(struct canvas *c)
{
	struct grid *g = c->priv;
	free(g->cells);
	free(g);
	free(c);
}
