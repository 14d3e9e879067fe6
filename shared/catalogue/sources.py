"""The sources the catalogue cites (tags as in the reference sheet of real-game facts that
``docs/real-game.md`` is generated from: AD autodori, MA MAautodori, CO/LN MaaBanGDream,
SSM ssm, BDA BangDreamAssistant; MY = moyufang/AutoBangDream, the first version)."""

from __future__ import annotations

from shared.catalogue.types import Source

MY_SCRIPT = Source("first_version", "MY moyufang/AutoBangDream @7885caf client/script.py")
MY_CONFIG = Source("first_version", "MY moyufang/AutoBangDream @7885caf configuration.py")
MY_DOCS = Source(
    "first_version",
    "MY moyufang/AutoBangDream @7885caf client/script.py, as docs/scriptor-and-play.md section 1 lists it",
)

ASSUMED = Source("assumed", "no source")
SIM_ONLY = Source("assumed", "no source: a simulator-only button so the flow can be driven")

LIVE_BUTTON = Source(
    "peer",
    "CO coatcn1/MaaBanGDream resource/pipeline/auto_live.json @0644832 (click box [1085,580,180,130]); "
    "AD EvATive7/autodori start.json live_home.png",
)
START_BUTTON = Source(
    "peer",
    "MA Evan-Fantasque/MAautodori test1.json OCR [1076,624,113,37] (text centre); "
    "CO auto_live.json live_start.png search [980,530,290,190]; box estimated from AD/CO template sizes",
)
CONFIRM_BUTTON = Source(
    "peer", "CO auto_live.json click box [1040,615,100,45]; MA mission.json OCR [1000,600,250,100]"
)
SONG_DIFFICULTY = Source(
    "peer",
    "AD src/autodori.py click boxes (712.5/821.5/938.5/1049.5/1182, y~542); "
    "CO agent/realtime/difficulty_action.py @80521a4 (715/827/940/1051/1180, y 545)",
)
COOP_DIFFICULTY = Source(
    "peer",
    "CO cooperative_action.py COOPERATIVE_DIFFICULTY_TARGETS (602/687/769/852/942, y 575); MY pitch 84",
)
MODE_BUTTON = Source(
    "peer",
    "AD live.json switch_liveplay_mode [125,631,33,35] (centre 141.5,648.5); "
    "CO agent/realtime/live_visual_gate.py @b07a7fd; MY client/scriptor.py (140,652)",
)
CUT_IN = Source("peer", "LN agent/realtime/formal_preflight.py @5247801 click (500,650)")
FREE_TILE = Source("peer", "AD src/autodori.py OCR [679,183,257,354]; CO agent/live_select.py @aa61fc8; MY")
COOP_TILE = Source("peer", "CO cooperative_action.py TEMPLATE_POSITIONS (975,448); MY (1080,480)")
TEAM_TILE = Source("peer", "LN resource/pipeline/team_live.json OCR [790,200,430,230]; MY (1080,240)")
CHALLENGE_TILE = Source("peer", "AD live.json challenge OCR; CO challenge_live.json; MY (800,240)")
RANDOM_FREE = Source("peer", "CO auto_live.json random (687,642); MY (680,650)")
NO_SONG = Source("peer", "CO cooperative_action.py 'unspecified' click (780,647); MY (780,610)")
CHOOSE_DIALOG = Source("peer", "CO challenge_live.json select (875,212), confirm (770,620); MY x 876")
FAILED_GIVE_UP = Source(
    "peer", "AD live.json 退出 (371,449); CO common.json exit [240,390,280,130]; MY (380,450)"
)
QUIT_CONFIRM = Source("peer", "CO common.json exit [600,390,320,130]; MY (780,450)")
STORY_MENU = Source("peer", "BDA scr/vision.py x 1089-1271 y 11-114; CO [1080,0,200,125]; MY (1200,60)")
STORY_SKIP = Source("peer", "BDA scr/vision.py x 517-640 y 23-97; CO [500,0,160,115]; MY (580,60)")
STORY_SKIP_CONFIRM = Source("peer", "BDA x 647-897 y 409-489; CO [300,180,680,360]; MY (770,450)")
STORY_READ = Source("peer", "BDA x 945-1197 y 607-689; MA story.json OCR [1030,630,100,40]")
STORY_DIALOG = Source("peer", "MA story.json OCR 确定 [600,530,100,40]; MY (640,580)")
NEXT_BOTTOM_RIGHT = Source(
    "first_version", "MY @7885caf client/script.py award/stage/story_choose (1080,640)"
)
TOUR_MEDLEY = Source("first_version", "MY @7885caf client/script.py (64 + 80 d + 408 k, 370)")
TITLE_REGION = Source(
    "peer", "CO preparation_identity.py @475490c (218,540,560,38); MA single.json [220,545,570,30]; "
    "MY configuration.py [220,540,670,576]"
)  # fmt: skip
LIFE_BAR = Source(
    "peer", "CO agent/realtime/life_monitor.py @2ba2936 (x 970-1182, y 32-53, fills from the left)"
)
HEALTH_PIXEL = Source("first_version", "MY @7885caf configuration.py HEALTH_POS [1080,42]; CO bar position")
PAUSE_BUTTON = Source("peer", "MA agent/custom/utils/PlaySong.py x 1172-1280 y 0-108; MY (1248,32)")
