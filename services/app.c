#include "app.h"

#include "cn_error.h"
#include "log.h"

void app_note_store_result(struct app *app, int rc)
{
	if (rc == CN_ERR_FULL) {
		if (atomic_exchange(&app->store_state, STORE_FULL) != STORE_FULL)
			log_error("db",
			          "database or disk is full: refusing writes until space returns");
	} else if (rc == CN_OK) {
		if (atomic_exchange(&app->store_state, STORE_OK) != STORE_OK)
			log_info("db", "database writable again");
	}
}
