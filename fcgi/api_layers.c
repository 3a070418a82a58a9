/*
 * api_layers.c - GET /api/v1/layers: the five layers, lowest precedence first.
 */
#include "api.h"

static const struct {
	const char	*name, *title, *purpose;
} layers[] = {
	{ "opening_statement", "Opening Statement",
	  "The base system every ISO starts from: base, a kernel, firmware, the boot tools." },
	{ "platform", "Platform",
	  "Hardware and environment: drivers, desktop or server stack, network tools." },
	{ "rhetoric", "Rhetoric",
	  "How the system speaks: shells, editors, themes, fonts and their configuration." },
	{ "talking_points", "Talking Points",
	  "The applications and files this ISO exists for." },
	{ "closing_argument", "Closing Argument",
	  "Final say: removals, pinned providers and files that must win over everything." },
};

void
api_layers_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	json_t	*list = json_array();
	size_t	 i;

	(void)app;
	(void)req;
	for (i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I, s:s}",
		    "id", (json_int_t)(i + 1), "name", layers[i].name, "title", layers[i].title,
		    "order", (json_int_t)(i + 1), "purpose", layers[i].purpose));
	api_json(resp, 200, json_pack("{s:o}", "layers", list));
}
