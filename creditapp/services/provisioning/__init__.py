"""Loss allowance (CKPN, PSAK 71 style): monthly runs, settings, and the movement the ledger
journals. See ``staging`` for the stages and the arithmetic."""

from .movements import AllowanceChange, allowance_changes
from .run import ProvisionSummary, is_month_end, run_provisioning
from .settings import DEFAULT_LGD, DEFAULT_UNSCORED_PD, set_provisioning, settings_in_force

__all__ = [
    "DEFAULT_LGD",
    "DEFAULT_UNSCORED_PD",
    "AllowanceChange",
    "ProvisionSummary",
    "allowance_changes",
    "is_month_end",
    "run_provisioning",
    "set_provisioning",
    "settings_in_force",
]
