"""Start the suite's long background checks as soon as the tests that need them are collected."""
import background


def pytest_collection_finish(session):
    background.start_all_needed([item.nodeid for item in session.items])
