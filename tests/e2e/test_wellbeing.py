"""The wellbeing rule end to end (issue 18): two normal weeks of activity
at home, sent with their past device times, then a quiet day: the
day-time round raises one P3 `wellbeing` alert naming the day and the
baseline. The daemon runs in a zone where it is about noon, so the round
(08:00-20:00 local) runs now."""
import datetime as dt
import zoneinfo

import pytest

from conftest import Site, wait_until

_OFFSET_H = 12 - dt.datetime.now(dt.timezone.utc).hour  # local hour ~ 12
ZONE = "Etc/GMT%+d" % -_OFFSET_H if _OFFSET_H else "Etc/GMT"
TZ = zoneinfo.ZoneInfo(ZONE)


@pytest.fixture
def daemon_args():
    return {"timezone": ZONE, "wellbeing_check_s": 1}


def test_quiet_day_after_two_normal_weeks_raises_wellbeing(api, mq):
    site = Site(api)
    fay = site.resident("Fay Quiet")
    site.device(fay, "fay-motion", "motion", room="living room")
    dev = mq()
    today = dt.datetime.now(TZ).date()
    seq = 0

    def day_of_motion(day, n):
        nonlocal seq
        for i in range(n):
            at = dt.datetime.combine(day, dt.time(9, 0), TZ) + dt.timedelta(minutes=20 * i)
            seq += 1
            dev.publish("carenet/dev/fay-motion/event", {"type": "motion", "value": True, "seq": seq,
                                                         "ts": at.isoformat()})

    # Two weeks at home, 20 to 26 events a day; then yesterday, 4.
    for back in range(15, 1, -1):
        day_of_motion(today - dt.timedelta(days=back), 20 + back % 7)
    day_of_motion(today - dt.timedelta(days=1), 4)

    first = (today - dt.timedelta(days=15)).isoformat()
    last = (today - dt.timedelta(days=1)).isoformat()
    path = "/v1/residents/%s/activity?from=%s&to=%s" % (fay["id"], first, last)
    wait_until(lambda: sum(i["events"] for i in api.ok("GET", path)["items"]) == seq, 30, interval=0.5,
               what="the history summarised")
    days = api.ok("GET", path)["items"]
    assert [d["events"] for d in days][-1] == 4
    assert days[0]["by_room"] == {"living room": days[0]["events"]}

    alerts = lambda: api.ok("GET", "/v1/alerts?kind=wellbeing&resident_id=%s" % fay["id"])["items"]
    wait_until(lambda: len(alerts()) == 1, 30, interval=0.5, what="a wellbeing alert")
    (a,) = alerts()
    assert a["priority"] == 3 and a["status"] == "open"
    detail = api.ok("GET", "/v1/alerts/%s" % a["id"])["timeline"][0]["detail"]
    assert detail.startswith(last + ": 4 activity events, under 0.5 x the median")
