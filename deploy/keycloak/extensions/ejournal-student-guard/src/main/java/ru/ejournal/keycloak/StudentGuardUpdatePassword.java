package ru.ejournal.keycloak;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.authentication.requiredactions.UpdatePassword;
import org.keycloak.events.Errors;
import org.keycloak.events.EventType;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;

/**
 * Keycloak's UPDATE_PASSWORD required action, refused to students (R1.3: a student's password is
 * issued by the class teacher and is final).
 *
 * <p>It has the built-in provider's id and a higher {@link #order()}, so Keycloak's provider manager
 * picks it instead of {@link UpdatePassword} at build time. For everyone without the realm role
 * {@code student} it is exactly the built-in action (first login with a temporary password, the
 * application-initiated {@code kc_action=UPDATE_PASSWORD}, the account console). For a student:
 *
 * <ul>
 *   <li>an application-initiated change is refused with a Russian error page (403) and the password
 *       stays as it was, also when the form is posted directly;
 *   <li>a pending UPDATE_PASSWORD required action is dropped and the login goes on;
 *   <li>the password policy's expiry never adds the action.
 * </ul>
 */
public class StudentGuardUpdatePassword extends UpdatePassword {

    /** The realm role whose holders cannot change their password. */
    public static final String STUDENT_ROLE = "student";

    /** Shown to a student who asks Keycloak for a password change. */
    public static final String REFUSAL =
            "Студент не может изменить пароль. Обратитесь к классному руководителю.";

    /** Higher than the built-in provider's 0: this factory replaces it. */
    public static final int ORDER = 100;

    private static final String ACTION = UserModel.RequiredAction.UPDATE_PASSWORD.name();
    private static final Logger LOG = Logger.getLogger(StudentGuardUpdatePassword.class);

    @Override
    public int order() {
        return ORDER;
    }

    /** The built-in factory returns a new {@link UpdatePassword}; this one is stateless too, and guarded. */
    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public void evaluateTriggers(RequiredActionContext context) {
        if (isStudent(context)) {
            return;
        }
        super.evaluateTriggers(context);
    }

    @Override
    public void requiredActionChallenge(RequiredActionContext context) {
        if (isStudent(context)) {
            refuse(context);
            return;
        }
        super.requiredActionChallenge(context);
    }

    @Override
    public void processAction(RequiredActionContext context) {
        if (isStudent(context)) {
            refuse(context);
            return;
        }
        super.processAction(context);
    }

    private static boolean isStudent(RequiredActionContext context) {
        UserModel user = context.getUser();
        RealmModel realm = context.getRealm();
        if (user == null || realm == null) {
            return false;
        }
        RoleModel student = realm.getRole(STUDENT_ROLE);
        return student != null && user.hasRole(student);
    }

    private static boolean applicationInitiated(RequiredActionContext context) {
        return ACTION.equalsIgnoreCase(context.getAuthenticationSession().getClientNote(Constants.KC_ACTION));
    }

    private static void refuse(RequiredActionContext context) {
        UserModel user = context.getUser();
        // A student's password is final: a pending change (set by hand in the admin console) goes too.
        user.removeRequiredAction(ACTION);
        context.getAuthenticationSession().removeRequiredAction(ACTION);
        if (!applicationInitiated(context)) {
            LOG.infof("dropped UPDATE_PASSWORD required of student %s", user.getId());
            context.success();
            return;
        }
        LOG.infof("refused UPDATE_PASSWORD started by student %s", user.getId());
        context.getEvent().clone().event(EventType.UPDATE_CREDENTIAL_ERROR).user(user)
                .detail("credential_type", "password").error(Errors.NOT_ALLOWED);
        Response page = context.form().setError(REFUSAL).createErrorPage(Response.Status.FORBIDDEN);
        context.challenge(page);
    }
}
