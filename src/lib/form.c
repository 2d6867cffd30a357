/* The desk's forms (complaint-log add, wgo-apply) on readline: one set-up, and
 * one history file per form that never keeps what is private, where the next
 * person at the terminal would find it with the Up arrow. Only the programs with
 * a form link readline; the rest of libwgo does not call here. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "wgo.h"

static void
forget_private(void)
{
	for (int i = history_length - 1; i >= 0; i--) {
		HIST_ENTRY *h = history_get(history_base + i);
		if (h && h->line && form_private(h->line)) {
			h = remove_history(i);
			if (h)
				free_history_entry(h);
		}
	}
}

static char *hist_path;
static char **choices;
static int choices_nocase, whole;

static char *
choice_gen(const char *text, int state)
{
	static size_t i, len;
	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (choices && choices[i]) {
		const char *c = choices[i++];
		if (choices_nocase ? !strncasecmp(c, text, len) : !strncmp(c, text, len))
			return xstrdup(c);
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	if (whole)
		rl_completion_append_character = '\0';
	return rl_completion_matches(text, choice_gen);
}

void
form_choices(char **list, int nocase)
{
	choices = list;
	choices_nocase = nocase;
}

void
form_open(const char *program, const char *history, const char *word_breaks, int whole_answer)
{
	whole = whole_answer;
	setlocale(LC_CTYPE, "");
	rl_readline_name = program;
	rl_outstream = stderr;
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = (char *)word_breaks;
	rl_variable_bind("input-meta", "on");
	rl_variable_bind("output-meta", "on");
	rl_variable_bind("convert-meta", "off");
	free(hist_path);
	hist_path = home_path(history);
	using_history();
	read_history(hist_path);
	/* A history written before private answers were kept out may hold some:
	 * those go (the file is written again at the end). */
	forget_private();
}

void
form_remember(const char *answer, int private)
{
	if (*answer && !private && !form_private(answer))
		add_history(answer);
}

void
form_close(int quiet)
{
	stifle_history(500);
	if (hist_path && write_history(hist_path) != 0 && !quiet)
		warnf("%s: cannot save the history", hist_path);
	rl_clear_history();
	free(hist_path);
	hist_path = NULL;
}
