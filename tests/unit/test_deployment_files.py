"""Invariants of the deployment files that no compiler here checks: Dockerfile, Bicep, toolkit yml.

The Bicep CLI cannot be installed on this machine (it is not shipped through the package registries
we reach), so the templates are checked by text: the security settings the issue asks for must be
there, and every app setting must be a variable the bot really reads (.env.example).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deployment.build_webapp import RUNTIME_DIRS, RUNTIME_FILES, stage

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
BICEP = (ROOT / "deployment" / "infra" / "main.bicep").read_text(encoding="utf-8")
README = (ROOT / "deployment" / "README.md").read_text(encoding="utf-8")


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


# --- Dockerfile -----------------------------------------------------------------------------------


def test_dockerfile_runs_as_non_root_user_from_python_311() -> None:
    steps = instructions(DOCKERFILE)
    assert steps[0][0] == "FROM" and steps[0][1].startswith("python:3.11")
    users = [i for i, (word, _) in enumerate(steps) if word == "USER"]
    assert users, "no USER instruction: the bot would run as root"
    assert steps[users[-1]][1] not in {"root", "0", "0:0"}
    cmd = next(i for i, (word, _) in enumerate(steps) if word == "CMD")
    assert users[-1] < cmd
    assert json.loads(steps[cmd][1]) == ["python", "app.py"]
    assert ("EXPOSE", "3978") in steps


def test_dockerfile_has_health_check_on_healthz() -> None:
    checks = [args for word, args in instructions(DOCKERFILE) if word == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/healthz" in checks[0] and "CMD" in checks[0]


def test_dockerfile_installs_runtime_dependencies_only_and_copies_only_runtime_code() -> None:
    steps = instructions(DOCKERFILE)
    assert "requirements-dev" not in DOCKERFILE
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert "-r requirements.txt -c constraints.txt" in runs
    copied: set[str] = set()
    for word, args in steps:
        if word in {"COPY", "ADD"}:
            assert word == "COPY", "ADD can fetch URLs and unpack archives; use COPY"
            *sources, _dest = args.split()
            copied.update(s.rstrip("/") for s in sources if not s.startswith("--"))
    assert copied == {*RUNTIME_FILES, *RUNTIME_DIRS}
    assert not copied & {".", "tests", ".env", "data", "node_modules", ".venv"}


def test_image_contains_no_secrets() -> None:
    for word, args in instructions(DOCKERFILE):
        if word in {"ENV", "ARG"}:
            assert not re.search(r"Password|Secret|CONNECTION_STRING|Key", args, re.IGNORECASE), args


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; a matched directory covers what is inside it."""

    def regex(pattern: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out + "(?:/.*)?$")

    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.lstrip("!").rstrip("/")
        if regex(pattern).match(path):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_tests_secrets_and_tools_out_of_the_build_context() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in (
        "tests/unit/test_manifest.py",
        ".env",
        "bot/.env",
        "node_modules/azurite/package.json",
        ".venv/bin/python",
        "data/cases/x.json",
        "requirements-dev.txt",
        "bot/__pycache__/settings.cpython-311.pyc",
        "deployment/infra/main.bicep",
        ".git/config",
    ):
        assert dockerignore_excludes(path, patterns), f"{path} would be sent to the Docker build"
    for path in ("app.py", "requirements.txt", "constraints.txt", "bot/hosting/settings.py", "cards/help.py"):
        assert not dockerignore_excludes(path, patterns), f"{path} is needed in the image"


# --- staging for App Service zip deploy ---------------------------------------------------------------


def test_webapp_staging_copies_runtime_only_and_pins_with_constraints(tmp_path: Path) -> None:
    src = tmp_path / "repo"
    for name in RUNTIME_DIRS:
        (src / name / "__pycache__").mkdir(parents=True)
        (src / name / "__init__.py").write_text("", encoding="utf-8")
        (src / name / "__pycache__" / "x.pyc").write_bytes(b"")
    (src / "tests").mkdir()
    (src / "tests" / "test_x.py").write_text("", encoding="utf-8")
    (src / ".env").write_text("MicrosoftAppPassword=secret\n", encoding="utf-8")
    (src / "app.py").write_text("print('hi')\n", encoding="utf-8")
    (src / "requirements.txt").write_text("aiohttp==3.14.5\n", encoding="utf-8")
    (src / "constraints.txt").write_text("yarl==1.0\n", encoding="utf-8")
    (src / "requirements-dev.txt").write_text("pytest\n", encoding="utf-8")

    out = stage(src, tmp_path / "out")

    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert names == sorted([*RUNTIME_FILES, *RUNTIME_DIRS, *(f"{d}/__init__.py" for d in RUNTIME_DIRS)])
    requirements = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert requirements[0] == "aiohttp==3.14.5"
    assert requirements[-1] == "-c constraints.txt"


def test_webapp_staging_refuses_an_incomplete_tree(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    with pytest.raises(FileNotFoundError, match=r"app\.py"):
        stage(tmp_path, tmp_path / "out")


# --- Bicep ------------------------------------------------------------------------------------------


def block(name: str) -> str:
    """The text of `name: { ... }` or `name: [ ... ]` in the template (first occurrence), balanced."""
    match = re.search(rf"\b{name}: ([{{\[])", BICEP)
    assert match, name
    opening = match.group(1)
    closing = {"{": "}", "[": "]"}[opening]
    depth, i = 0, match.start(1)
    for j in range(i, len(BICEP)):
        depth += {opening: 1, closing: -1}.get(BICEP[j], 0)
        if depth == 0:
            return BICEP[i : j + 1]
    raise AssertionError(f"unbalanced {name}")


def test_storage_account_is_locked_down() -> None:
    assert "allowBlobPublicAccess: false" in BICEP
    assert "minimumTlsVersion: 'TLS1_2'" in BICEP
    assert "supportsHttpsTrafficOnly: true" in BICEP
    assert "publicAccess: 'None'" in BICEP
    assert "allowSharedKeyAccess bool = false" in BICEP


def test_blob_versioning_soft_delete_and_restore_are_on() -> None:
    assert "isVersioningEnabled: true" in BICEP
    for policy in ("deleteRetentionPolicy", "containerDeleteRetentionPolicy", "restorePolicy", "changeFeed"):
        assert "enabled: true" in block(policy), policy
    assert "days: softDeleteRetentionDays" in block("deleteRetentionPolicy")


def test_managed_identity_gets_blob_roles_instead_of_a_key() -> None:
    assert "'ba92f5b4-2d11-453d-a403-e96b0029c9fe'" in BICEP  # Storage Blob Data Contributor
    assert "'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'" in BICEP  # Storage Blob Delegator
    assert "blobs/tags/write" in BICEP and "blobs/filter/action" in BICEP
    assert BICEP.count("principalId: identity.properties.principalId") == 3
    assert "STORAGE_CONNECTION_STRING" not in BICEP
    assert "listKeys" not in BICEP


def test_bot_is_single_tenant_with_the_teams_channel() -> None:
    assert "msaAppType: 'SingleTenant'" in BICEP
    assert "msaAppTenantId: tenantId" in BICEP
    assert "channelName: 'MsTeamsChannel'" in BICEP
    assert "/api/messages'" in BICEP


def test_web_app_runs_python_311_securely_with_health_check() -> None:
    for setting in (
        "linuxFxVersion: 'PYTHON|3.11'",
        "appCommandLine: 'python app.py'",
        "alwaysOn: true",
        "httpsOnly: true",
        "minTlsVersion: '1.2'",
        "ftpsState: 'Disabled'",
        "healthCheckPath: '/readyz'",
    ):
        assert setting in BICEP, setting


def test_secret_parameter_is_secure_and_never_output() -> None:
    assert re.search(r"@secure\(\)\nparam botAppPassword string\n", BICEP)
    outputs = [line for line in BICEP.splitlines() if line.startswith("output ")]
    assert outputs and not any(re.search(r"password|secret|key|ConnectionString", o, re.I) for o in outputs)


def test_no_storage_request_logs_which_would_hold_personal_data() -> None:
    diagnostics = BICEP[BICEP.index("resource storageDiagnostics") :]
    diagnostics = diagnostics[: diagnostics.index("\n}\n")]
    assert "StorageRead" not in diagnostics and "StorageWrite" not in diagnostics
    assert "logs:" not in diagnostics


def env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^([A-Za-z_][A-Za-z0-9_]*)=", text, re.MULTILINE)}


def test_app_settings_are_variables_the_bot_reads() -> None:
    names = re.findall(r"name: '([A-Za-z_][A-Za-z0-9_]*)'\n\s*value:", block("appSettings"))
    platform = {"WEBSITES_PORT", "SCM_DO_BUILD_DURING_DEPLOYMENT", "APPLICATIONINSIGHTS_CONNECTION_STRING"}
    sdk = {"AZURE_CLIENT_ID"}  # read by azure-identity's DefaultAzureCredential
    unknown = set(names) - env_example_names() - platform - sdk
    assert not unknown, f"app settings the bot does not read: {unknown}"
    assert len(names) == len(set(names))
    for needed in (
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppType",
        "MicrosoftAppTenantId",
        "STORAGE_ACCOUNT_URL",
        "AZURE_CLIENT_ID",
        "PORT",
        "TIME_ZONE",
        "MED_REMINDER_DATES",
    ):
        assert needed in names


def bicep_params() -> dict[str, bool]:
    """Parameter name -> has a default."""
    return {m.group(1): m.group(2) is not None for m in re.finditer(r"^param (\w+) \w+( = .+)?$", BICEP, re.MULTILINE)}


def test_every_parameter_is_documented() -> None:
    lines = BICEP.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("param "):
            decorators = []
            j = index - 1
            while j >= 0 and (lines[j].startswith("@") or lines[j].startswith("  ") or lines[j] in {"])"}):
                decorators.append(lines[j])
                j -= 1
            assert any(d.startswith("@description(") for d in decorators), line


def test_parameter_files_name_real_parameters_and_all_required_ones() -> None:
    params = bicep_params()
    required = {name for name, has_default in params.items() if not has_default}
    assert required == {"botAppId", "botAppPassword"}
    toolkit = json.loads((ROOT / "deployment" / "infra" / "main.parameters.json").read_text(encoding="utf-8"))
    assert set(toolkit["parameters"]) <= set(params)
    assert required <= set(toolkit["parameters"])
    bicepparam = (ROOT / "deployment" / "infra" / "main.bicepparam").read_text(encoding="utf-8")
    assert "using './main.bicep'" in bicepparam
    named = set(re.findall(r"^param (\w+) =", bicepparam, re.MULTILINE))
    assert named <= set(params)
    assert required <= named


# --- Agents Toolkit project file ---------------------------------------------------------------------


def load_yaml(path: Path) -> dict[str, object]:
    node = shutil.which("node")
    assert node, "node is needed to parse YAML (PyYAML is not a dependency)"
    script = (
        "const Y = require('yaml'); const fs = require('fs');"
        "process.stdout.write(JSON.stringify(Y.parse(fs.readFileSync(process.argv[1], 'utf8'))))"
    )
    proc = subprocess.run(
        [node, "-e", script, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def test_agents_toolkit_file_provisions_and_deploys_with_our_files() -> None:
    project = load_yaml(ROOT / "m365agents.yml")
    assert str(project["version"]).startswith("v1.")
    provision = project["provision"]
    deploy = project["deploy"]
    assert isinstance(provision, list) and isinstance(deploy, list)
    actions = [step["uses"] for step in provision]
    for action in (
        "teamsApp/create",
        "aadApp/create",
        "arm/deploy",
        "teamsApp/validateManifest",
        "teamsApp/zipAppPackage",
        "teamsApp/update",
    ):
        assert action in actions
    order = [actions.index(a) for a in ("aadApp/create", "arm/deploy", "teamsApp/zipAppPackage")]
    assert order == sorted(order)
    aad = next(step for step in provision if step["uses"] == "aadApp/create")
    assert aad["with"]["signInAudience"] == "AzureADMyOrg"  # single-tenant
    arm = next(step for step in provision if step["uses"] == "arm/deploy")
    for template in arm["with"]["templates"]:
        assert (ROOT / template["path"]).is_file() and (ROOT / template["parameters"]).is_file()
    for step in provision:
        for key in ("manifestPath",):
            if key in step.get("with", {}):
                assert (ROOT / step["with"][key]).is_file(), step["with"][key]
    assert [step["uses"] for step in deploy][-1] == "azureAppService/zipDeploy"
    assert (ROOT / str(project["environmentFolderPath"])).is_dir()


def test_toolkit_placeholders_are_all_provided() -> None:
    # Every ${{VAR}} in the manifest and parameters must be written by a provision step,
    # by arm/deploy's outputs, or be listed in the environment file the operator fills in.
    env_file = (ROOT / "deployment" / "env" / ".env.dev").read_text(encoding="utf-8")
    known = set(re.findall(r"^([A-Z_]+)=", env_file, re.MULTILINE)) | {"SECRET_BOT_PASSWORD"}
    known |= set(re.findall(r"^output (\w+) ", BICEP, re.MULTILINE))
    for path in (
        "deployment/appPackage/manifest.json",
        "deployment/infra/main.parameters.json",
        "deployment/aad.manifest.json",
        "m365agents.yml",
    ):
        used = set(re.findall(r"\$\{\{([A-Za-z0-9_]+)\}\}", (ROOT / path).read_text(encoding="utf-8")))
        assert used <= known, f"{path}: {used - known}"


# --- operator guide ----------------------------------------------------------------------------------


def test_operator_guide_covers_every_topic_of_the_issue() -> None:
    for topic in (
        "single-tenant",
        "certificate",
        "User.Read.All",
        "GroupMember.Read.All",
        "TeamsAppInstallation.ReadWriteSelfForUser.All",
        "admin-consent",
        "Teams admin centre",
        "MED_REMINDER_DATES",
        "RETENTION_DAYS",
        "TIME_ZONE",
        "restore",
        "Rotate",
        "impact assessment",
        "build_app_package.py",
        "Bicep CLI",
    ):
        assert topic in README, topic


def test_operator_guide_documents_the_leader_file_format_the_bot_reads() -> None:
    from bot.directory.file import COLUMNS

    assert ",".join(COLUMNS) in README


def test_bot_starts_with_the_settings_the_template_gives_it() -> None:
    # Evaluate each app setting with the parameter defaults (and sample values for what Azure
    # fills in), then let the bot's own settings loader judge them: a value it would refuse at
    # start-up (a bad default, a renamed variable's format) fails here rather than in Azure.
    from bot.hosting.settings import Settings

    defaults = {m.group(1): m.group(2) for m in re.finditer(r"^param (\w+) \w+ = (.+)$", BICEP, re.MULTILINE)}
    defaults["appPort"] = re.search(r"^var appPort = (.+)$", BICEP, re.MULTILINE).group(1)  # type: ignore[union-attr]
    azure = {
        "botAppId": "0b5d6f2e-8c1a-4e3b-9f7d-2a6c4e8b1d30",
        "botAppPassword": "not-a-real-secret",
        "tenantId": "11111111-2222-3333-4444-555555555555",
        "identity.properties.clientId": "22222222-3333-4444-5555-666666666666",
        "storage.properties.primaryEndpoints.blob": "https://kraenkelserabc.blob.core.windows.net/",
        "appInsights.properties.ConnectionString": "InstrumentationKey=00000000-0000-0000-0000-000000000000",
    }

    def evaluate(expression: str) -> str:
        if expression in azure:
            return azure[expression]
        if ternary := re.fullmatch(r"(\w+) \? '(.*)' : '(.*)'", expression):
            return ternary.group(2) if evaluate(ternary.group(1)) == "true" else ternary.group(3)
        if call := re.fullmatch(r"string\((\w+)\)", expression):
            return evaluate(call.group(1))
        if literal := re.fullmatch(r"'(.*)'", expression):
            return literal.group(1)
        if expression in defaults:
            return evaluate(defaults[expression])
        return expression  # a number or true/false

    pairs = re.findall(r"name: '(\w+)'\n\s*value: (.+)\n", block("appSettings"))
    env = {name: evaluate(value.strip()) for name, value in pairs}
    settings = Settings.from_env(env)
    assert settings.app_type == "SingleTenant"
    assert settings.authenticated and settings.bind_host == "0.0.0.0"
    assert settings.port == 8000
    assert settings.storage_account_url.startswith("https://")
    assert settings.med_reminder_dates == ((3, 1), (9, 1))
    assert settings.time_zone == "Europe/Copenhagen"


def test_alerts_autoscale_and_readiness_are_in_the_template_and_the_runbook() -> None:
    assert "healthCheckPath: '/readyz'" in BICEP
    for alert in ("notification-undelivered", "server-errors", "med-broadcast-failed", "readiness-failing"):
        assert alert in BICEP, alert
        assert f"### {alert}" in README, alert  # the runbook says what to do for each alert
    for metric in ("notifications.undelivered", "med.broadcast_failed"):
        assert metric in BICEP and metric in (ROOT / "bot" / "hosting" / "telemetry.py").read_text(encoding="utf-8")
    assert "Microsoft.Insights/autoscalesettings" in BICEP and "if (enableAutoscale)" in BICEP
