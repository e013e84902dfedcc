"""CRM: the system of record for subscribers, sub-services, portal users, tickets, notifications and audit."""

from sandbox.crm.system import CrmSystem

__all__ = ["CrmSystem"]
